"""Query-side Haystack components that are not retrievers: lookups and rank fusion."""
