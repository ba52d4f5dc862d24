"""What the fraud and recs training scripts share."""
