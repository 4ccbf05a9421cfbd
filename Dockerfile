# One image for web, worker and beat. Front-end assets are built in a Node stage.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static ./static
COPY scripts ./scripts
RUN npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint needs Pango; fonts give the PDF real, embeddable glyphs.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Exactly the versions tested, each checked against its hash (requirements/base.txt, `make lock`).
COPY requirements/base.txt ./requirements/
RUN pip install --no-cache-dir --require-hashes -r requirements/base.txt
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir --no-deps -e .
COPY . .
COPY --from=assets /app/static/build ./static/build
RUN DJANGO_ENV=development python manage.py collectstatic --noinput
RUN useradd --create-home compact && chown -R compact /app
USER compact
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn_conf.py", "--bind", "0.0.0.0:8000", "--workers", "3"]
