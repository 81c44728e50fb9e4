"""Small projects the env command tests share."""

SECRET = "Zq8vL2xN7mK4pR9sT1wY6bC3dF5gH0jQeU"  # a strong secret: must never appear in masked output
DB_PASSWORD = "Hy7Lm2Qp9Vx4Ks8Nt3Wz6Rb1Cd5Fg0Jk"

BASE = """services:
  api:
    image: registry.example.com/api:1.0
    environment:
      BASE_URL: ${BASE_URL:-http://localhost:8150}
      API_BASE_URL: ${API_BASE_URL:-${BASE_URL}/api}
      SECRET_KEY: ${SECRET_KEY:?SECRET_KEY is required}
      DATABASE_URL: postgresql://app:${POSTGRES_PASSWORD:?required}@${POSTGRES_HOST:-db}:${POSTGRES_PORT:-5432}/app
      PRICE: "$$5"
    ports:
      - "${API_PORT:-8150}:8100"
  db:
    image: postgres:16-alpine
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?required}
"""
OVERRIDE = """services:
  api:
    env_file: [.env.{env}]
"""
GITIGNORE = ".env\n.env.*\n!.env.*.example\n"
DEV_TEMPLATE = """# Application
BASE_URL=http://localhost:8150
API_BASE_URL=${BASE_URL}/api
API_PORT=8150
POSTGRES_HOST=db
POSTGRES_PORT=5432
# Secrets
SECRET_KEY=CHANGE_ME_DEV_SECRET_KEY_MIN_32_CHARS
POSTGRES_PASSWORD='CHANGE_ME_DEV_DB_PASSWORD'
"""
PROD_TEMPLATE = DEV_TEMPLATE.replace("http://localhost:8150", "https://api.example.com").replace("_DEV_", "_PROD_")
PROD_REAL = (PROD_TEMPLATE.replace("CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS", SECRET)
             .replace("CHANGE_ME_PROD_DB_PASSWORD", DB_PASSWORD))


def project(**extra: str) -> dict[str, str]:
    files = {
        ".gitignore": GITIGNORE,
        "docker-compose.base.yml": BASE,
        "docker-compose.dev.yml": OVERRIDE.format(env="dev"),
        "docker-compose.prod.yml": OVERRIDE.format(env="prod"),
        ".env.dev.example": DEV_TEMPLATE,
        ".env.prod.example": PROD_TEMPLATE,
        ".env.dev": DEV_TEMPLATE,
        ".env.prod": PROD_REAL,
    }
    files.update(extra)
    return files
