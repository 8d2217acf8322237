"""The nginx configuration generator (coopmap.proxy) and the supervisor's settings."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from coopmap import proxy, serve, uploads

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _upstream(conf: str, name: str) -> list[tuple[str, str]]:
    block = re.search(rf"upstream {name} \{{(.*?)\}}", conf, re.S).group(1)
    return re.findall(r"server (\S+) ([^;]*);", block)


def test_new_visitors_spread_and_each_process_has_its_own_upstream():
    ports = (9101, 9102, 9103, 9104)
    conf = proxy.render(proxy.ProxySettings(app_ports=ports))
    anyone = _upstream(conf, "coopmap_any")
    assert [a for a, _ in anyone] == [f"127.0.0.1:{p}" for p in ports]
    assert "least_conn;" in re.search(r"upstream coopmap_any \{(.*?)\}", conf, re.S).group(1)
    for port in ports:
        servers = _upstream(conf, f"coopmap_{port}")
        # its own process first, the others as backups
        assert servers[0] == (f"127.0.0.1:{port}", "max_fails=1 fail_timeout=5s")
        assert sorted(a for a, rest in servers[1:] if "backup" in rest) == sorted(
            f"127.0.0.1:{p}" for p in ports if p != port)
        assert f'"{port}" coopmap_{port};' in conf  # the cookie names the pool
    assert "proxy_next_upstream_tries 4;" in conf


def test_down_ports_are_marked_down_and_left_out_as_backups():
    conf = proxy.render(proxy.ProxySettings(app_ports=(9101, 9102, 9103),
                                            down_ports=frozenset({9102})))
    marks = {addr: "down" in rest for addr, rest in _upstream(conf, "coopmap_any")}
    assert marks == {"127.0.0.1:9101": False, "127.0.0.1:9102": True, "127.0.0.1:9103": False}
    own = _upstream(conf, "coopmap_9102")
    assert own[0][0] == "127.0.0.1:9102" and "down" in own[0][1]
    for port in (9101, 9103):
        assert "127.0.0.1:9102" not in [a for a, _ in _upstream(conf, f"coopmap_{port}")]


def test_listen_address_port_and_prefix_paths():
    conf = proxy.render(proxy.ProxySettings(listen_port=9000, listen_address="0.0.0.0",
                                            app_ports=(9001,), prefix=Path("/srv/cm")))
    assert "listen 0.0.0.0:9000;" in conf
    assert "pid /srv/cm/nginx.pid;" in conf
    assert "access_log /srv/cm/logs/access.log coopmap;" in conf
    for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f"/srv/cm/tmp/{temp};" in conf
    assert "user " not in conf.split("events")[0]  # no user directive unless asked


@pytest.mark.parametrize("kwargs, words", [
    ({"app_ports": ()}, "at least one"),
    ({"app_ports": (9001, 9001)}, "repeats"),
    ({"listen_port": 9001, "app_ports": (9001, 9002)}, "also an app port"),
    ({"app_ports": (9001,), "down_ports": frozenset({9002})}, "not app ports"),
    ({"app_ports": (9001, 9002), "down_ports": frozenset({9001, 9002})}, "must stay"),
    ({"upload_limit_mb": 0}, "upload_limit_mb"),
])
def test_bad_settings_name_the_setting(kwargs, words):
    with pytest.raises(ValueError, match=words):
        proxy.ProxySettings(**kwargs)


def test_upload_limit_is_the_apps_limit():
    """The proxy refuses what the app would refuse, before the body reaches Python."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    settings = proxy.ProxySettings()
    assert settings.upload_limit_mb * 1024 * 1024 == uploads.MAX_BYTES
    assert config["server"]["maxUploadSize"] == settings.upload_limit_mb
    assert f"client_max_body_size {settings.upload_limit_mb}m;" in proxy.render(settings)


def test_inline_script_hash_matches_streamlits_index_html():
    html = proxy.streamlit_index_html()
    bodies = re.findall(rb"<script>(.*?)</script>", html, re.S)
    assert len(bodies) == 1, "Streamlit's index.html changed its inline scripts: review the CSP"
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(bodies[0]).digest()).decode() + "'"
    assert proxy.inline_script_hashes(html) == (expected,)
    csp = proxy.content_security_policy((expected,))
    assert f"script-src 'self' {expected} blob:" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp


def test_every_location_repeats_the_security_headers():
    """nginx drops the server's add_header in a location that has its own: each must repeat."""
    conf = proxy.render(proxy.ProxySettings(hsts=True))
    for block in re.findall(r"location [^{@]*\{(.*?)\n        \}", conf, re.S):
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                       "Strict-Transport-Security", "Set-Cookie $coopmap_node_cookie"):
            assert header in block, f"{header} missing in a location block"


def test_hsts_only_when_asked():
    assert "Strict-Transport-Security" not in proxy.render(proxy.ProxySettings())
    assert "Strict-Transport-Security" in proxy.render(proxy.ProxySettings(hsts=True))


def test_brotli_module_loaded_only_when_asked():
    assert "brotli" not in proxy.render(proxy.ProxySettings(brotli=False))
    conf = proxy.render(proxy.ProxySettings(brotli=True))
    assert conf.count("load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;") == 1
    assert "brotli on;" in conf


def test_committed_deploy_conf_is_the_generators_output():
    committed = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert committed == serve.defaults_conf(), "run `coopmap proxy-config` and commit"


def test_supervisor_ports_follow_the_first_port(tmp_path):
    sup = serve.Supervisor(workers=3, port=9500, first_app_port=9601, state_dir=tmp_path)
    assert sup.app_ports == (9601, 9602, 9603)
    assert sup.settings().app_ports == (9601, 9602, 9603)
    assert sup.settings().prefix == tmp_path.resolve()
    with pytest.raises(serve.ServeError, match="at least 1"):
        serve.Supervisor(workers=0, state_dir=tmp_path)


@pytest.mark.parametrize("brotli", [False, True])
def test_nginx_accepts_the_generated_configuration(tmp_path, brotli):
    required = os.environ.get("COOPMAP_REQUIRE_BROWSER") == "1"  # CI installs both
    if not Path(NGINX).exists() or (brotli and not serve.BROTLI_MODULE.exists()):
        if required:
            pytest.fail("nginx with Debian's brotli module is required here")
        pytest.skip("nginx (or Debian's brotli module for it) is not installed")
    for sub in ("logs", "tmp"):
        (tmp_path / sub).mkdir()
    settings = replace(proxy.ProxySettings(), prefix=tmp_path, brotli=brotli,
                       down_ports=frozenset({8602}),
                       script_hashes=proxy.inline_script_hashes(proxy.streamlit_index_html()))
    conf = tmp_path / "nginx.conf"
    conf.write_text(proxy.render(settings))
    result = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_link_previews_get_a_description_in_the_html_page():
    """Streamlit 1.67 cannot set a meta description: nginx writes it into the HTML page (what a
    link previewer reads), escaped, in the page location only, asking for an uncompressed body
    it can rewrite; a shared Spanish link (?lang=es) gets the Spanish words."""
    conf = proxy.render(proxy.ProxySettings(description='Maps & "facts" <here> for $5',
                                            description_es="Mapas y hechos"))
    page = conf[conf.index("location / {"):conf.index("location /static/")]
    assert "sub_filter '<head>' '<head>$coopmap_preview';" in page
    assert 'proxy_set_header Accept-Encoding "";' in page and "sub_filter_once on;" in page
    assert conf.count("sub_filter '<head>'") == 1
    tags = conf[conf.index("map $arg_lang $coopmap_preview {"):]
    tags = tags[:tags.index("}")]
    english = next(line for line in tags.splitlines() if line.strip().startswith("default "))
    spanish = next(line for line in tags.splitlines() if line.strip().startswith("es "))
    assert ('<meta name="description" content="Maps &amp; &quot;facts&quot; &lt;here&gt; for '
            '&#36;5">') in english
    assert '<meta property="og:title" content="coopmap: local cooperation with ICE">' in english
    assert 'content="en_US"' in english and 'content="es_US"' in spanish
    assert '<meta name="description" content="Mapas y hechos">' in spanish
    assert "'" not in english.strip()[len("default '"):-2]  # one quoted nginx string
    default = proxy.render(proxy.ProxySettings())
    assert "287(g) agreements" in default[default.index("default '<meta"):]
    assert "acuerdos 287(g)" in default[default.index("es '<meta"):]
    assert "sub_filter" not in proxy.render(proxy.ProxySettings(description=""))


def _location(conf: str, head: str) -> str:
    start = conf.index(f"location {head} {{")
    return conf[start:conf.index("\n        }", start)]


def test_static_files_from_disk_with_precompressed_files_and_the_app_behind():
    conf = proxy.render(proxy.ProxySettings(
        static_root=Path("/srv/cm/static-1"), brotli=True, brotli_static=True,
        subset_fonts=("/static/media/MaterialSymbols-Rounded.abc.woff2",)))
    static = _location(conf, "/static/")
    assert "root /srv/cm/static-1;" in static and "try_files $uri @static_app;" in static
    assert "gzip_static on;" in static and "brotli_static on;" in static
    assert 'Cache-Control "public, max-age=31536000, immutable"' in static
    assert "proxy_pass" not in static
    behind = _location(conf, "@static_app")  # a file the copy lacks: the app, as before
    assert "proxy_pass http://$coopmap_pool;" in behind and "immutable" in behind
    font = _location(conf, "= /static/media/MaterialSymbols-Rounded.abc.woff2")
    assert "root /srv/cm/static-1;" in font
    assert 'add_header Cache-Control "public, max-age=86400" always;' in font
    assert "Content-Security-Policy" in font
    assert conf.count("load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;") == 1
    # Without a copy, /static/ goes to the app processes and no static module is loaded.
    plain = proxy.render(proxy.ProxySettings(brotli=True))
    assert "proxy_pass" in _location(plain, "/static/")
    assert "gzip_static" not in plain and "brotli_static" not in plain
    assert "@static_app" not in plain


def test_tls_listener_beside_the_plain_one():
    conf = proxy.render(proxy.ProxySettings(listen_port=9000, tls_port=9443,
                                            tls_cert=Path("/c/cert.pem"),
                                            tls_key=Path("/c/key.pem")))
    assert "listen 127.0.0.1:9000;" in conf
    assert "listen 127.0.0.1:9443 ssl http2;" in conf
    assert "ssl_certificate /c/cert.pem;" in conf and "ssl_certificate_key /c/key.pem;" in conf
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert "ssl" not in proxy.render(proxy.ProxySettings(listen_port=9000))


@pytest.mark.parametrize("kwargs, words", [
    ({"tls_port": 8080}, "already the listen port"),
    ({"tls_port": 8601, "tls_cert": Path("c"), "tls_key": Path("k")}, "already"),
    ({"tls_port": 8443}, "needs tls_cert and tls_key"),
    ({"subset_fonts": ("/static/x.woff2",)}, "needs static_root"),
    ({"static_root": Path("/s"), "subset_fonts": ("/other/x.woff2",)}, "not a /static/"),
    ({"static_root": Path("/s"), "subset_fonts": ("/static/x;y",)}, "not a /static/"),
])
def test_bad_static_and_tls_settings_name_the_setting(kwargs, words):
    with pytest.raises(ValueError, match=words):
        proxy.ProxySettings(**kwargs)


def test_supervisor_settings_carry_the_static_copy_and_tls(tmp_path):
    from coopmap.static_files import StaticMirror

    sup = serve.Supervisor(workers=2, port=9500, first_app_port=9601, state_dir=tmp_path,
                           tls_port=9443, tls_cert=tmp_path / "c.pem", tls_key=tmp_path / "k.pem")
    sup.static = StaticMirror(tmp_path / "static-x", ("/static/media/M.a.woff2",), ())
    s = sup.settings()
    assert (s.static_root, s.subset_fonts) == (tmp_path / "static-x", ("/static/media/M.a.woff2",))
    assert s.brotli_static == serve.BROTLI_STATIC_MODULE.exists()
    assert (s.tls_port, s.tls_cert, s.tls_key) == (9443, tmp_path / "c.pem", tmp_path / "k.pem")
    with pytest.raises(serve.ServeError, match="go together"):
        serve.Supervisor(state_dir=tmp_path, tls_port=9443, tls_cert=tmp_path / "c.pem")


def test_nginx_accepts_static_files_and_tls(tmp_path):
    required = os.environ.get("COOPMAP_REQUIRE_BROWSER") == "1"
    if not Path(NGINX).exists() or not serve.BROTLI_STATIC_MODULE.exists():
        if required:
            pytest.fail("nginx with Debian's brotli static module is required here")
        pytest.skip("nginx (or Debian's brotli static module) is not installed")
    for sub in ("logs", "tmp"):
        (tmp_path / sub).mkdir()
    sup = serve.Supervisor(state_dir=tmp_path, tls_port=9443)
    sup._self_signed()
    settings = replace(proxy.ProxySettings(), prefix=tmp_path, brotli=True, brotli_static=True,
                       static_root=tmp_path / "static", tls_port=9443, tls_cert=sup.tls_cert,
                       tls_key=sup.tls_key, subset_fonts=("/static/media/M.a.woff2",))
    conf = tmp_path / "nginx.conf"
    conf.write_text(proxy.render(settings))
    result = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_shapes_from_the_folder_the_app_writes_them_to():
    conf = proxy.render(proxy.ProxySettings(geo_root=Path("/srv/cm/static/geo"), brotli=True))
    geo = _location(conf, "/app/static/geo/")
    assert "alias /srv/cm/static/geo/;" in geo and "error_page 404 = @geo_app;" in geo
    assert 'Cache-Control "public, max-age=31536000, immutable"' in geo
    assert "proxy_pass" in _location(conf, "@geo_app")  # not written yet: the app
    assert "alias" not in _location(proxy.render(proxy.ProxySettings()), "/app/static/geo/")
