"""The page templates' environment: autoescaped, and a dict's keys read with dot syntax as jinja reads them."""

from collections import defaultdict

from generator.render.templates import environment


def test_a_dict_key_reads_as_before_through_the_faster_lookup():
    """``value.key`` on a dict is the item, unless ``key`` names a dict method (jinja's order, without its
    exception per lookup); a missing key is undefined, and dict subclasses keep jinja's own lookup."""
    template = environment().from_string("{{ d.name }}|{{ d.items is callable }}|{{ d.missing | default('none') }}|"
                                         "{{ d.missing.deeper | default('chain') }}|{{ dd.x }}")
    out = template.render(d={"name": "<b>", "items": "not the method"}, dd=defaultdict(lambda: "made", {}))
    assert out == "&lt;b&gt;|True|none|chain|made"
