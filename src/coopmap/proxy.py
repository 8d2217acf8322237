"""The nginx configuration that serves coopmap to many visitors: one proxy in front of several
Streamlit processes on one machine (``coopmap serve`` runs it; docs/deploy.md explains the layout).

A pure function of its settings, so the file is unit-tested and ``deploy/nginx.conf`` in the repo is
its output for the defaults. What it decides, and why:

- **Sticky sessions by a cookie that names the process, not by the client address.** A
  Streamlit session (widget state, the staff sign-in, uploaded files, download links) lives in the
  process that holds its websocket, so every request of one browser must reach that process. A new
  visitor goes to the process with the fewest open connections (``least_conn``: a websocket is a
  long connection, so this counts sessions); every response names the process that served it in
  the ``coopmap_node`` cookie, and later requests go to that process's own upstream. Where that
  process is down, its upstream's ``backup`` servers take the request and the cookie follows the
  session to its new process, so it stays there when the old one comes back (a consistent hash
  would send the browser back to a process that no longer holds its session). The client address
  would put every phone behind one carrier NAT on one process, and would move a phone that
  switches from Wi-Fi to mobile data to another process mid-session.
- **Failover.** A process that refuses or drops connections is skipped for ``fail_timeout``
  (passive check) and the request is retried on the next one (``proxy_next_upstream``); the
  supervisor also polls ``/_stcore/health`` and marks a process ``down`` in this file until it is
  healthy again (the active check open-source nginx lacks).
- **Compression** (gzip, and brotli where Debian's module is installed) for the text types
  Streamlit sends uncompressed; the websocket keeps Streamlit's own permessage-deflate.
- **Streamlit's static files from disk** (``static_root``, prepared by ``coopmap.static_files``):
  nginx answers ``/static/`` itself, sending the precompressed ``.br``/``.gz`` next to each file
  (``brotli_static``, ``gzip_static``), so the app processes serve no JavaScript at all; a file
  the copy lacks goes to the app as before. The icon font is a subset under Streamlit's URL for
  the whole font (``subset_fonts``), so it is kept a day, not a year: a later subset with a new
  icon reaches returning visitors.
- **Caching**: Streamlit's hashed assets already say ``immutable``; coopmap's shape files are
  named by content (``/app/static/geo/``), so they may be kept for a year too. With
  ``geo_root`` (the folder the app processes write them to) nginx sends them from disk with its
  own brotli; Streamlit would gzip them.
- **TLS and HTTP/2** (``tls_port``): a second listener beside the plain one. Browsers speak
  HTTP/2 only over TLS, and a first visit asks for ~115 files: over HTTP/1.1 they queue on six
  connections, a round trip each.
- **Security headers**, the tightest policy the app runs under (tested in a browser: no CSP
  violation on any page). HSTS only when ``hsts`` is set: it belongs on a TLS listener.
- **Limits**: the upload size (the app's own 10 MB, enforced here before the body reaches Python);
  request rates per client address on the staff page and on new websocket connections (each is a
  new session), answered with 429.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from coopmap.text import EN
from coopmap.text_es import ES

# The inline script of Streamlit's index.html (``window.prerenderReady = false``): allowed by its
# hash rather than by 'unsafe-inline'. ``inline_script_hashes`` recomputes it from the installed
# Streamlit so an upgrade cannot silently break the page.
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)

COMPRESSED_TYPES = (
    "text/plain", "text/css", "text/javascript", "application/javascript", "application/json",
    "application/manifest+json", "image/svg+xml", "font/ttf", "application/x-protobuf",
)


@dataclass(frozen=True)
class ProxySettings:
    """Everything the configuration depends on."""

    listen_port: int = 8080
    listen_address: str = "127.0.0.1"
    app_ports: tuple[int, ...] = (8601, 8602, 8603)
    down_ports: frozenset[int] = frozenset()
    prefix: Path = Path("/var/lib/coopmap/serve")
    upload_limit_mb: int = 10
    staff_rate_per_minute: int = 20
    staff_burst: int = 10
    stream_rate_per_minute: int = 60
    stream_burst: int = 30
    worker_connections: int = 4096
    brotli: bool = False
    brotli_static: bool = False  # Debian's brotli static module: send the .br files as they are
    static_root: Path | None = None  # coopmap.static_files mirror: /static/ served from disk
    subset_fonts: tuple[str, ...] = ()  # /static/ URLs answered with a subset (kept a day)
    geo_root: Path | None = None  # the app's static/geo/: /app/static/geo/ served from disk
    tls_port: int | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    hsts: bool = False
    user: str | None = None
    script_hashes: tuple[str, ...] = field(default_factory=tuple)
    # What a link preview shows: nginx picks the words by the link's ?lang= (the same HTML page
    # serves every visitor, and previewers run no JavaScript); empty: no preview tags.
    description: str = field(default_factory=lambda: EN["app.description"])
    description_es: str = field(default_factory=lambda: ES["app.description"])

    def __post_init__(self) -> None:
        if not self.app_ports:
            raise ValueError("app_ports: give at least one app process port")
        if len(set(self.app_ports)) != len(self.app_ports):
            raise ValueError(f"app_ports: {list(self.app_ports)} repeats a port")
        if self.listen_port in self.app_ports:
            raise ValueError(f"listen_port {self.listen_port} is also an app port")
        if self.tls_port is not None:
            if self.tls_port in (self.listen_port, *self.app_ports):
                raise ValueError(f"tls_port {self.tls_port} is already the listen port or an "
                                 "app port")
            if not (self.tls_cert and self.tls_key):
                raise ValueError("tls_port needs tls_cert and tls_key (coopmap serve --tls "
                                 "makes a self-signed pair when none is given)")
        for url in self.subset_fonts:
            if not url.startswith("/static/") or any(c in url for c in " ;{}\"\'"):
                raise ValueError(f"subset_fonts: {url!r} is not a /static/ file URL")
        if self.subset_fonts and self.static_root is None:
            raise ValueError("subset_fonts needs static_root (the folder that holds them)")
        unknown = set(self.down_ports) - set(self.app_ports)
        if unknown:
            raise ValueError(f"down_ports {sorted(unknown)} are not app ports "
                             f"(app ports: {list(self.app_ports)})")
        if len(self.down_ports) == len(self.app_ports):
            # nginx refuses an upstream whose every server is down; keep one so that visitors
            # get the proxy's retry and a clear 502 page rather than a config error.
            raise ValueError("down_ports: at least one app process must stay in the upstream")
        for name in ("upload_limit_mb", "staff_rate_per_minute", "staff_burst",
                     "stream_rate_per_minute", "stream_burst", "worker_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")


def inline_script_hashes(index_html: bytes) -> tuple[str, ...]:
    """CSP source expressions ('sha256-…') for every inline script of Streamlit's index.html."""
    import base64

    out = []
    for body in _INLINE_SCRIPT.findall(index_html):
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        out.append(f"'sha256-{digest}'")
    return tuple(out)


def streamlit_index_html() -> bytes:
    """The installed Streamlit's index.html (its static folder)."""
    import streamlit

    return (Path(streamlit.__file__).parent / "static" / "index.html").read_bytes()


def content_security_policy(script_hashes: tuple[str, ...]) -> str:
    """The page's CSP. Streamlit needs inline styles (emotion), blob: workers, data: images and
    fonts; scripts come only from the site itself, the hashed inline script and blob: URLs (the
    map component's code is loaded as a blob made by Streamlit's own script, which only code
    already running on the page can create); nothing may frame the site; forms and the base URL
    stay on the site."""
    scripts = " ".join(("'self'", *script_hashes, "blob:"))
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _security_headers(s: ProxySettings) -> list[str]:
    lines = [
        f'add_header Content-Security-Policy "{content_security_policy(s.script_hashes)}" always;',
        'add_header X-Content-Type-Options "nosniff" always;',
        'add_header Referrer-Policy "strict-origin-when-cross-origin" always;',
        'add_header X-Frame-Options "DENY" always;',
        'add_header Permissions-Policy "camera=(), microphone=(), geolocation=()" always;',
        "add_header Set-Cookie $coopmap_node_cookie;",  # empty (no header) when unchanged
    ]
    if s.hsts:
        lines.append('add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" '
                     'always;')
    return lines


def _indent(lines: list[str], n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line if line else "" for line in lines)


def _server(s: ProxySettings, port: int, *, backup: bool = False) -> str:
    mark = " down" if port in s.down_ports else ""
    role = " backup" if backup else ""
    return f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{role}{mark};"


def _upstreams(s: ProxySettings) -> str:
    """``coopmap_any`` for new visitors, and one upstream per process whose backups are the
    others (a down primary hands its visitors on)."""
    blocks = [["upstream coopmap_any {", "    least_conn;",
               *("    " + _server(s, p) for p in s.app_ports), "    keepalive 32;", "}"]]
    for port in s.app_ports:
        lines = [f"upstream coopmap_{port} {{", "    " + _server(s, port)]
        # nginx refuses backups marked down; a down backup is simply left out.
        lines += ["    " + _server(s, other, backup=True) for other in s.app_ports
                  if other != port and other not in s.down_ports]
        lines += ["    keepalive 8;", "}"]
        blocks.append(lines)
    return "\n".join(_indent(b, 4) for b in blocks)


def _proxied(*, websocket: bool) -> str:
    lines = [
        "proxy_pass http://$coopmap_pool;",
        "proxy_http_version 1.1;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
    ]
    if websocket:
        lines += ["proxy_set_header Upgrade $http_upgrade;",
                  "proxy_set_header Connection $connection_upgrade;",
                  "proxy_read_timeout 1h;",
                  "proxy_send_timeout 1h;"]
    else:
        lines.append('proxy_set_header Connection "";')  # keep upstream connections alive
    return _indent(lines, 8)


def _preview_tags(title: str, description: str, locale: str) -> str:
    words = escape(description, quote=True).replace("$", "&#36;")
    title = escape(title, quote=True).replace("$", "&#36;")
    return (f'<meta name="description" content="{words}">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:description" content="{words}">'
            f'<meta property="og:type" content="website">'
            f'<meta property="og:locale" content="{locale}">')


def _preview_map(s: ProxySettings) -> str:
    """The link-preview tags by the link's language: English unless ``?lang=es``."""
    if not s.description:
        return ""
    english = _preview_tags(EN["app.title"], s.description, "en_US")
    spanish = _preview_tags(ES["app.title"], s.description_es or s.description, "es_US")
    return "\n" + _indent(["# Link-preview tags, by the shared link's language (?lang=es).",
                            "map $arg_lang $coopmap_preview {",
                            f"    default '{english}';",
                            f"    es '{spanish}';",
                            "}"], 4)


def _preview(s: ProxySettings) -> str:
    """Link-preview tags put into Streamlit's HTML page: Streamlit 1.67 cannot set a page's meta
    description (streamlit/streamlit#16634), and previewers read the HTML without running the
    app. nginx can only rewrite an uncompressed body, so this location asks for one (and
    compresses the answer itself)."""
    if not s.description:
        return ""
    return "\n" + _indent(['proxy_set_header Accept-Encoding "";', "sub_filter_once on;",
                            "sub_filter '<head>' '<head>$coopmap_preview';"], 8)


IMMUTABLE = 'add_header Cache-Control "public, max-age=31536000, immutable" always;'
# A subset font lives under the URL of Streamlit's whole font; a later subset (a new icon in
# coopmap) must reach returning visitors, so a day instead of a year (and its ETag after that).
SUBSET_CACHE = 'add_header Cache-Control "public, max-age=86400" always;'


def _static(s: ProxySettings, proxied: str, h8: str) -> str:
    """``/static/``: through the app, or from the prepared copy on disk with its precompressed
    files (and the app for anything the copy lacks)."""
    if s.static_root is None:
        return f"""
        # Streamlit's hashed bundles: already immutable; keep them a year.
        location /static/ {{
{proxied}
            proxy_hide_header Cache-Control;
            {IMMUTABLE}
{h8}
        }}
"""
    precompressed = ["gzip_static on;"] + (["brotli_static on;"] if s.brotli_static else [])
    pre = _indent(precompressed, 12)
    fonts = "".join(f"""
        location = {url} {{
            root {s.static_root};
            {SUBSET_CACHE}
{h8}
        }}
""" for url in s.subset_fonts)
    return f"""
        # Streamlit's hashed bundles, from the prepared copy (coopmap.static_files): the .br and
        # .gz beside each file are sent as they are; anything the copy lacks goes to the app.
        location /static/ {{
            root {s.static_root};
            try_files $uri @static_app;
{pre}
            {IMMUTABLE}
{h8}
        }}
        # The icon font cut to the icons in use, under Streamlit's URL for the whole one.{fonts}
        location @static_app {{
{proxied}
            proxy_hide_header Cache-Control;
            {IMMUTABLE}
{h8}
        }}
"""


def _geo(s: ProxySettings, proxied: str, h8: str) -> str:
    """coopmap's shape files: through the app (which gzips them), or from the folder the app
    processes write them to (nginx's brotli; a file not written yet goes to the app)."""
    if s.geo_root is None:
        return f"""
        # coopmap's shape files, named by their content.
        location /app/static/geo/ {{
{proxied}
            proxy_hide_header Cache-Control;
            {IMMUTABLE}
{h8}
        }}
"""
    return f"""
        # coopmap's shape files, named by their content, from the folder the app writes them to.
        location /app/static/geo/ {{
            alias {s.geo_root}/;
            error_page 404 = @geo_app;
            {IMMUTABLE}
{h8}
        }}
        location @geo_app {{
{proxied}
            proxy_hide_header Cache-Control;
            {IMMUTABLE}
{h8}
        }}
"""


def _listen(s: ProxySettings) -> str:
    lines = [f"listen {s.listen_address}:{s.listen_port};"]
    if s.tls_port is not None:
        lines += [f"listen {s.listen_address}:{s.tls_port} ssl http2;",
                  f"ssl_certificate {s.tls_cert};",
                  f"ssl_certificate_key {s.tls_key};",
                  "ssl_protocols TLSv1.2 TLSv1.3;",
                  "ssl_session_cache shared:coopmap_tls:10m;",
                  "ssl_session_timeout 1h;"]
    return _indent(lines, 8)


def _modules(s: ProxySettings) -> str:
    lines = []
    if s.brotli:
        lines.append("load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;")
    if s.brotli_static:
        lines.append("load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;")
    return "\n".join(lines)


def render(s: ProxySettings) -> str:
    """The whole nginx.conf for these settings."""
    prefix = s.prefix
    pools = _indent([f'"{port}" coopmap_{port};' for port in s.app_ports], 8)
    upstreams = _upstreams(s)
    headers = _security_headers(s)
    # add_header in a location replaces the server's: every location repeats the set.
    h8 = _indent(headers, 8)
    proxied = _proxied(websocket=False)
    preview = _preview(s)
    preview_map = _preview_map(s)
    stream = _proxied(websocket=True)
    brotli = ""
    if s.brotli:
        brotli = _indent([
            "brotli on;",
            "brotli_comp_level 5;",
            "brotli_min_length 1024;",
            f"brotli_types {' '.join(t for t in COMPRESSED_TYPES if t != 'text/html')};",
        ], 4) + "\n"
    user = f"user {s.user};\n" if s.user else ""
    return f"""\
# Generated by coopmap (coopmap.proxy.render); edit the settings, not this file.
{user}worker_processes auto;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
{_modules(s)}

events {{
    worker_connections {s.worker_connections};
}}

http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    types {{ application/javascript mjs; }}
    # Which app process served each request (upstream) and for which browser (node): what the
    # deployment tests read, and what an operator needs when a viewer reports a problem.
    log_format coopmap '$remote_addr [$time_iso8601] "$request" $status $body_bytes_sent '
                       'upstream=$upstream_addr node=$cookie_coopmap_node rt=$request_time';
    access_log {prefix}/logs/access.log coopmap;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server_tokens off;{preview_map}
    sendfile on;
    keepalive_timeout 65;

    gzip on;
    gzip_comp_level 6;
    gzip_min_length 1024;
    gzip_vary on;
    gzip_proxied any;
    gzip_types {' '.join(COMPRESSED_TYPES)};
{brotli}
    # Sticky sessions: see coopmap.proxy's docstring.
    map $cookie_coopmap_node $coopmap_pool {{
        default coopmap_any;
{pools}
    }}
    # The port of the process that answered (the last one tried).
    map $upstream_addr $coopmap_served {{
        "~:(?<port>\\d+)$" $port;
        default "";
    }}
    map "$cookie_coopmap_node:$coopmap_served" $coopmap_node_cookie {{
        "~^(?<same>\\d+):\\k<same>$" "";
        "~:(?<port>\\d+)$" "coopmap_node=$port; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ""      close;
    }}

    limit_req_zone $binary_remote_addr zone=coopmap_staff:10m rate={s.staff_rate_per_minute}r/m;
    limit_req_zone $binary_remote_addr zone=coopmap_stream:10m rate={s.stream_rate_per_minute}r/m;
    limit_req_status 429;
    limit_conn_status 429;

{upstreams}
    server {{
{_listen(s)}
        server_name _;
        client_max_body_size {s.upload_limit_mb}m;
        proxy_next_upstream error timeout http_502 http_503;
        proxy_next_upstream_tries {len(s.app_ports)};
        proxy_connect_timeout 2s;
        error_page 413 = @too_large;
        error_page 429 = @too_many;

        location / {{
{proxied}{preview}
{h8}
        }}
{_static(s, proxied, h8)}
{_geo(s, proxied, h8)}
        location = /_stcore/stream {{
            limit_req zone=coopmap_stream burst={s.stream_burst} nodelay;
{stream}
{h8}
        }}

        # The staff page: signing in happens on it, so page loads are rate-limited per address
        # (the app limits the sign-in attempts themselves).
        location ~ ^/staff/?$ {{
            limit_req zone=coopmap_staff burst={s.staff_burst} nodelay;
{proxied}
{h8}
        }}

        location /_stcore/upload_file/ {{
            client_max_body_size {s.upload_limit_mb}m;
{proxied}
            proxy_request_buffering on;
{h8}
        }}

        location @too_large {{
            default_type text/plain;
            return 413 "The file is larger than {s.upload_limit_mb} MB, the upload limit.\\n";
        }}
        location @too_many {{
            default_type text/plain;
            add_header Retry-After 60 always;
            return 429 "Too many requests from this address; try again in a minute.\\n";
        }}
    }}
}}
"""
