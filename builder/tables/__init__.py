"""Tables: reading files, what each column is for, profiles, data checks, and the numbers a network trains on."""
