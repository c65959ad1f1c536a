# A classroom server: the same install steps as `make` (and so as .ci/run), then the app.
# Build: docker build -t nn-builder .   Run: docker run -p 8501:8501 -v nnb-data:/data nn-builder
FROM python:3.11-slim-bookworm
RUN apt-get update -q && apt-get install -y -q --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN make .venv/.installed
ENV NNB_MAX_CONCURRENT_TRAININGS=2
# The students' workspaces (SQLite and model files): a volume, so they outlive the container.
ENV NNB_DATA_DIR=/data
VOLUME /data
EXPOSE 8501
HEALTHCHECK CMD python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD [".venv/bin/python", "-m", "streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501", "--server.headless=true"]
