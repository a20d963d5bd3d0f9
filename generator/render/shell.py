"""Page shells: material renders a page once, model pages reuse it with their own title and content.

Rendering every model page through mkdocs costs about 7 ms of theme templating each (measured: 1,000 plain pages
in 7.4 s), most of it identical header, nav and footer. So mkdocs renders one *shell* per distinct table of
contents, with marker strings where the title, description and content go, and each model page is that shell with
the markers replaced: the material look for the cost of a few string replacements.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

TITLE = "MHSHELLTITLE"
DESCRIPTION = "MHSHELLDESCRIPTION"
# material adds an <h1> of the page title unless the content has one; the marker comment says "<h1" to stop that.
CONTENT = "<!--MHSHELLCONTENT <h1-->"
SHELL_PREFIX = "mh-shell-"


def shell_source(index: int) -> str:
    """The source path of shell ``index`` among the generated files (models/ keeps model pages' depth)."""
    return f"models/{SHELL_PREFIX}{index}.md"


def shell_markdown() -> str:
    """The shell's source: marker title and description; kept out of material's search index if one is built."""
    return f"---\ntitle: {TITLE}\ndescription: {DESCRIPTION}\nsearch:\n  exclude: true\n---\n\n"


@dataclass
class Shell:
    """A rendered shell page, split at the content marker once so each fill is cheap."""

    head: str
    tail: str
    url: str  # the shell's own URL path (site-relative), replaced by the model page's

    @classmethod
    def from_output(cls, output: str, url: str) -> Shell:
        if CONTENT not in output:
            raise ValueError("the page shell lost its content marker; does a theme override drop page.content?")
        head, tail = output.split(CONTENT, 1)
        return cls(head, tail, url)

    def fill(self, *, title: str, description: str, content: str, url: str) -> str:
        """The shell with this page's title (escaped), meta description (escaped) and content (trusted HTML)."""
        safe_title = html.escape(title, quote=True)
        safe_description = html.escape(" ".join(description.split())[:300], quote=True)

        def fix(part: str) -> str:
            part = part.replace(TITLE, safe_title).replace(DESCRIPTION, safe_description)
            return part.replace(self.url, url) if self.url and self.url != url else part

        return fix(self.head) + content + fix(self.tail)
