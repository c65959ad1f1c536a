"""Code that runs only inside worker processes: the one place TensorFlow is imported."""
