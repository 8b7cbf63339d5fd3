"""Example instance configuration: copy to instance/config.py and adjust.

Environment variables named REFCHECK_<SETTING> override anything set here.
Never commit the real file: it may hold secrets.
"""

# MODE = "production"
# BASE_URL = "https://refcheck.example.org"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://refcheck@db.internal/refcheck"
# MAIL_BACKEND = "smtp"
# SMTP_HOST = "smtp.example.org"
# SMTP_PORT = 587
# SMTP_STARTTLS = True
# MAIL_FROM = "checks@example.org"
# CONTROLLER_NAME = "Example Verification Ltd"
# CONTROLLER_EMAIL = "privacy@example.org"
# JURISDICTION = "GB"
# CONSENT_DAYS = 5
