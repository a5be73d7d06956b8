"""HTTPS through libmicrohttpd's GnuTLS support, with throw-away certificates made by openssl."""

import hashlib
import shutil
import signal
import socket
import ssl
import subprocess
import time

import pytest

from conftest import wait_for


def make_certificate(directory, name):
    """A self-signed certificate for 127.0.0.1 / localhost; returns (cert path, key path)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is missing: run scripts/install-deps.sh --test")
    cert, key = directory / (name + ".crt"), directory / (name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=" + name,
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    return cert, key


def served_certificate(port):
    """SHA-256 of the certificate the server presents (not verified: only looked at)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()


def fingerprint(cert_path):
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text())
    return hashlib.sha256(der).hexdigest()


def test_https_with_hsts_and_a_certificate_reloaded_on_sighup(serve, tmp_path):
    first_cert, first_key = make_certificate(tmp_path, "first")
    cert, key = tmp_path / "live.crt", tmp_path / "live.key"
    shutil.copy(first_cert, cert)
    shutil.copy(first_key, key)
    server = serve("--tls-cert", cert, "--tls-key", key, tls_ca=str(first_cert))
    assert server.scheme == "https"
    status, headers, body = server.get("/healthz")
    assert status == 200 and body == b"ok\n"
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert served_certificate(server.port) == fingerprint(first_cert)
    # Plain HTTP on the HTTPS port gets no page.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as plain:
        plain.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        try:
            reply = plain.recv(100)
        except (ConnectionResetError, socket.timeout):
            reply = b""
        assert not reply.startswith(b"HTTP/1.1 200")

    # A renewed certificate: replace the files, send SIGHUP, new connections get it.
    second_cert, second_key = make_certificate(tmp_path, "second")
    shutil.copy(second_cert, cert)
    shutil.copy(second_key, key)
    server.process.send_signal(signal.SIGHUP)
    wait_for(lambda: served_certificate(server.port) == fingerprint(second_cert), timeout=10,
             message="the new certificate to be served")
    server.tls_ca = str(second_cert)
    assert server.get("/healthz")[0] == 200

    # A broken file: the reload fails loudly and the server keeps the working certificate.
    cert.write_text("not a certificate\n")
    server.process.send_signal(signal.SIGHUP)
    wait_for(lambda: "TLS reload failed" in server.log, timeout=10, message="the failed reload in the log")
    assert served_certificate(server.port) == fingerprint(second_cert)
    assert server.get("/healthz")[0] == 200


def test_tls_needs_both_files_and_readable_ones(binary, tmp_path):
    cert, key = make_certificate(tmp_path, "only")
    alone = subprocess.run([binary, "serve", "--port", "0", "--tls-cert", str(cert)],
                           capture_output=True, timeout=30)
    assert alone.returncode != 0 and b"--tls-cert and --tls-key go together" in alone.stderr
    missing = subprocess.run([binary, "serve", "--port", "0", "--tls-cert", str(cert), "--tls-key",
                              str(tmp_path / "absent.key")], capture_output=True, timeout=30)
    assert missing.returncode != 0 and b"cannot read the key file" in missing.stderr
