"""Embedding models: the document embedder and the query encoders (ONNX int8, torch)."""
