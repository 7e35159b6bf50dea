"""marshmallow schemas: the single source of the API contract and of its OpenAPI document."""
