# The image compose.yaml runs: `sniper` with the pinned dependencies (constraints.txt).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN pip install --no-cache-dir -c constraints.txt .
ENTRYPOINT ["sniper"]
