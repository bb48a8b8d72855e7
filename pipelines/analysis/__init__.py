"""Text analysis for both stores: casefold, stopwords, Indonesian stemming, query expansion."""
