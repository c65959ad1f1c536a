"""What leaves the app: the generated training script and the run bundle."""
