"""Parameter declarations, shared groups and the compatibility rules generated from them."""
