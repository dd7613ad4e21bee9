"""Tools apart from the product: the sample-data generator (``demo``) and the bench (``bench``)."""
