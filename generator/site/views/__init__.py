"""What each page shows, computed from the validated project; templates read these and nothing else."""
