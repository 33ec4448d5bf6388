"""The HTTP ceiling without a framework: a bare WSGI app under the product's gunicorn config."""


def app(environ, start_response):
    body = b"hello world"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
