# Eligo application image: web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (signed eligibility records as PDF) needs pango and fonts: DejaVu for Latin
# scripts, Noto CJK for the Chinese sites' names and texts; curl serves the health checks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
        fonts-dejavu-core fonts-noto-cjk curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
RUN useradd --system --uid 10001 eligo \
    && mkdir -p /app/staticfiles /app/var/audit-checkpoints \
    && chown eligo /app/staticfiles /app/var/audit-checkpoints
USER eligo

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
