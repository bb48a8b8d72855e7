"""Search: the query pipeline, its lookup and fusion components, highlighting and evaluation."""
