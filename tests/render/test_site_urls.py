"""Site URLs follow mkdocs' rules, with or without directory URLs, and relative links lead back to the root."""

from __future__ import annotations

import pytest

from generator.render.shell import CONTENT, DESCRIPTION, TITLE, Shell
from generator.render.site import dest_path, page_url, relative_root, sitemap_xml


@pytest.mark.parametrize("src, directory, url, dest, back", [
    ("index.md", True, "", "index.html", ""),
    ("families/index.md", True, "families/", "families/index.html", "../"),
    ("families/albert.md", True, "families/albert/", "families/albert/index.html", "../../"),
    ("models/x.md", False, "models/x.html", "models/x.html", "../"),
    ("index.md", False, "index.html", "index.html", ""),
])
def test_page_urls(src, directory, url, dest, back):
    assert page_url(src, directory) == url
    assert dest_path(url) == dest
    assert relative_root(url) == back


def test_a_shell_is_filled_with_escaped_title_and_description_and_trusted_content():
    output = (f"<title>{TITLE} - Site</title><meta name=description content=\"{DESCRIPTION}\">"
              f"<link rel=canonical href=\"https://x.test/models/mh-shell-0/\"><h2>{TITLE}</h2>{CONTENT}<footer>")
    shell = Shell.from_output(output, "models/mh-shell-0/")
    page = shell.fill(title='A <b>"title"</b>', description="first\nline <script>", content="<p>body</p>",
                      url="models/a/")
    assert page == ('<title>A &lt;b&gt;&quot;title&quot;&lt;/b&gt; - Site</title><meta name=description '
                    'content="first line &lt;script&gt;"><link rel=canonical href="https://x.test/models/a/">'
                    '<h2>A &lt;b&gt;&quot;title&quot;&lt;/b&gt;</h2><p>body</p><footer>')


def test_a_shell_without_its_marker_is_refused():
    with pytest.raises(ValueError, match="content marker"):
        Shell.from_output("<html></html>", "models/mh-shell-0/")


def test_sitemap_is_absolute_with_a_site_url():
    assert "<loc>https://models.test/models/a/</loc>" in sitemap_xml(["models/a/"], "https://models.test")
    assert "<loc>models/a/</loc>" in sitemap_xml(["models/a/"], None)
