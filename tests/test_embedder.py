"""The local embedding model and the query cache in front of it."""
import numpy as np
import pytest


def test_cached_embedder_returns_the_model_embedding_and_evicts():
    from pipelines.embedder import CachedTextEmbedder, text_embedder

    cached, plain = CachedTextEmbedder(cache_size=2), text_embedder()
    cached.warm_up()
    plain.warm_up()
    first = cached.run(text="pusat data pemerintah")["embedding"]
    assert np.allclose(first, plain.run(text="pusat data pemerintah")["embedding"], atol=1e-6)
    assert cached.run(text="pusat data pemerintah")["embedding"] is first  # served from the cache
    cached.run(text="retribusi daerah")
    cached.run(text="data pribadi")
    assert "pusat data pemerintah" not in cached._cache and len(cached._cache) == 2
    with pytest.raises(ValueError):
        CachedTextEmbedder(cache_size=-1)
