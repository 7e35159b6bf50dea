"""Production entry point: gunicorn observo.wsgi:app"""

from observo.app import create_app

app = create_app()
