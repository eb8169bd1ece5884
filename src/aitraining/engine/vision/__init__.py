"""What the image commands (image-classification, image-regression, object-detection) share."""
