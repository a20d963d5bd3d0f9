"""Cards written out in other catalogs' formats (``modelhub export``)."""
