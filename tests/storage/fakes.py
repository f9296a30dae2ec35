"""A fake Cloudinary upload API over real HTTP, for the Cloudinary storage tests.

The cloudinary package is pointed at it with ``upload_prefix`` (part of CLOUDINARY_URL), so the
real client code builds, signs and sends every request; the fake checks each signature with
the API secret, as Cloudinary does, and keeps the uploaded bytes.
"""

from __future__ import annotations

import json
import threading
import time
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import cloudinary.utils


class FakeCloudinary:
    def __init__(self, *, cloud_name: str, api_key: str, api_secret: str) -> None:
        self.cloud_name, self.api_key, self.api_secret = cloud_name, api_key, api_secret
        self.assets: dict[str, bytes] = {}
        self.types: dict[str, str] = {}  # public id -> delivery type it was uploaded with
        self.requests: list[dict[str, Any]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def cloudinary_url(self) -> str:
        return (
            f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud_name}"
            f"?upload_prefix={self.url}"
        )

    def start(self) -> FakeCloudinary:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                """The signed, expiring download of a private asset
                (``cloudinary.utils.private_download_url``)."""
                url = urlsplit(self.path)
                _, _version, cloud, resource_type, action = url.path.split("/")
                params = dict(parse_qsl(url.query))
                fake.requests.append(
                    {"action": action, "resource_type": resource_type, "fields": params}
                )
                signed = {k: v for k, v in params.items() if k not in ("api_key", "signature")}
                expected = cloudinary.utils.api_sign_request(signed, fake.api_secret)
                if action != "download" or cloud != fake.cloud_name:
                    return self._reply(404, {"error": {"message": "not found"}})
                if params.get("signature") != expected or params.get("api_key") != fake.api_key:
                    return self._reply(401, {"error": {"message": "Invalid Signature"}})
                if int(params.get("expires_at", "0")) < time.time():
                    return self._reply(401, {"error": {"message": "Expired"}})
                if params.get("type") != "private":
                    return self._reply(404, {"error": {"message": "not a private asset"}})
                data = fake.assets.get(params["public_id"])
                if data is None:
                    return self._reply(404, {"error": {"message": "Resource not found"}})
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                raw = self.rfile.read(length)
                message = BytesParser(policy=policy.HTTP).parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + raw
                )
                fields: dict[str, str] = {}
                file_bytes = None
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    data = part.get_payload(decode=True)
                    if name == "file":
                        file_bytes = data
                    else:
                        fields[name] = data.decode()
                # /v1_1/<cloud>/<resource_type>/<action>
                _, _version, cloud, resource_type, action = self.path.split("/")
                fake.requests.append(
                    {"action": action, "resource_type": resource_type, "fields": fields}
                )
                if cloud != fake.cloud_name or fields.get("api_key") != fake.api_key:
                    return self._reply(401, {"error": {"message": "Invalid cloud or key"}})
                signed = {
                    k: v for k, v in fields.items() if k not in ("api_key", "signature", "file")
                }
                expected = cloudinary.utils.api_sign_request(signed, fake.api_secret)
                if fields.get("signature") != expected:
                    return self._reply(401, {"error": {"message": "Invalid Signature"}})
                public_id = fields["public_id"]
                if action == "upload":
                    fake.assets[public_id] = file_bytes or b""
                    fake.types[public_id] = fields.get("type", "upload")
                    return self._reply(
                        200,
                        {
                            "public_id": public_id,
                            "version": 1,
                            "resource_type": resource_type,
                            "bytes": len(file_bytes or b""),
                        },
                    )
                if action == "destroy":
                    found = fake.assets.pop(public_id, None) is not None
                    return self._reply(200, {"result": "ok" if found else "not found"})
                return self._reply(404, {"error": {"message": f"unknown action {action}"}})

        return Handler
