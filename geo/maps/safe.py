r"""The only way text from data enters a folium map: escaped, and never template source.

Text on a map passes through three interpreters before a reader sees it, and each
needs its own escaping:

* **Jinja.** branca compiles the rendered output of every folium element as a Jinja
  template a second time (``MacroElement.render`` wraps it in ``Element(template)``),
  so ``{{ ... }}`` or ``{% ... %}`` in a name would be evaluated (or crash the render)
  while the page is written.
* **JavaScript.** folium's ``Popup`` and ``Tooltip`` put their HTML inside a template
  literal (backticks), where ``${...}`` is code that runs when the page loads.
* **HTML.** Leaflet inserts popups, tooltips, legends and layer names as HTML.

Two rules keep data inert in all three:

1. :func:`html_text` turns a value into HTML in which every character that means
   something to any of the three (``< > & " '`` and ``{ } $ ` \``) is a numeric
   character reference. The browser shows the original text; Jinja and a template
   literal see no delimiter.
2. Elements built here (:class:`VerbatimElement` and its :class:`Popup` and
   :class:`Tooltip`) hand their output to the page as is, without the second Jinja
   pass, and give text to JavaScript as a JSON string, never inside backticks.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any

from branca.element import Element, MacroElement
from folium.template import Template

__all__ = ["Popup", "Tooltip", "VerbatimElement", "VerbatimText", "html_text", "js_string"]

#: Characters beyond HTML's own that open code in Jinja or in a JS template literal.
_CODE_CHARS = str.maketrans({c: f"&#{ord(c)};" for c in "{}$`\\"})


def html_text(value: Any) -> str:
    """Return ``value`` as HTML text that no later interpreter can run.

    Parameters
    ----------
    value
        Any value; ``None`` and NaN give ``""``, anything else goes through ``str``.

    Returns
    -------
    str
        HTML-escaped text (quotes included) in which ``{``, ``}``, ``$``, backtick and
        backslash are character references, so that it is inert as Jinja source and
        inside a JavaScript template literal and still reads the same in a browser.

    Examples
    --------
    >>> html_text("{{7*7}} <b>")
    '&#123;&#123;7*7&#125;&#125; &lt;b&gt;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return html.escape(str(value), quote=True).translate(_CODE_CHARS)


#: Characters that could end a ``<script>`` block or a JavaScript line inside a string.
_SCRIPT_CHARS = str.maketrans({c: f"\\u{ord(c):04x}" for c in "<>\u2028\u2029"})


def js_string(value: str) -> str:
    r"""Return ``value`` as a JavaScript string literal safe inside ``<script>``.

    Parameters
    ----------
    value
        Any text.

    Returns
    -------
    str
        A double-quoted JSON string; ``<`` and ``>`` (so ``</script>``) and the line
        separators U+2028/U+2029 are ``\u`` escapes. Backticks and ``${`` are inert in
        a double-quoted string.

    Examples
    --------
    >>> js_string("</script>`${x}`")
    '"\\u003c/script\\u003e`${x}`"'
    """
    return json.dumps(str(value), ensure_ascii=False).translate(_SCRIPT_CHARS)


class VerbatimText(Element):
    """Text placed on the page exactly as given: never compiled as a template.

    Parameters
    ----------
    text
        Already rendered HTML or JavaScript.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "VerbatimText"
        self.text = text

    def render(self, **kwargs: Any) -> str:
        """Return the text unchanged."""
        return self.text


class VerbatimElement(MacroElement):
    """A macro element whose rendered parts reach the page without a second Jinja pass.

    Subclasses define ``_template`` with ``header``, ``html`` and/or ``script`` macros
    that refer to data only as variables (``{{ this.text|tojson }}``), as with any
    folium element; only the rendering differs.
    """

    # branca annotates only Element.render (-> str); MacroElement.render returns None
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Add the rendered macros to the page's header, body and script, verbatim."""
        figure = self.get_root()
        module = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = module.get(part)
            if macro is not None:
                getattr(figure, part).add_child(
                    VerbatimText(macro(self, kwargs)), name=self.get_name()
                )
        for element in self._children.values():
            element.render(**kwargs)


class _Bound(VerbatimElement):
    """HTML bound to the parent layer by a Leaflet method, passed as a JSON string."""

    _method = ""
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this._method }}(
            {{ this.js_html }}, {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, html: str, **options: Any) -> None:
        super().__init__()
        self._name = type(self).__name__
        self.html = html
        self.options = options

    @property
    def js_html(self) -> str:
        """The HTML as a JavaScript string literal."""
        return js_string(self.html)


class Popup(_Bound):
    """A popup bound to its parent layer; the HTML goes to Leaflet as a JSON string.

    Parameters
    ----------
    html
        Popup content as HTML; build it from :func:`html_text` pieces.
    max_width
        Largest width in pixels.
    """

    _method = "bindPopup"

    def __init__(self, html: str, max_width: int = 300) -> None:
        super().__init__(html, maxWidth=max_width)


class Tooltip(_Bound):
    """A tooltip bound to its parent layer; the HTML goes to Leaflet as a JSON string.

    Parameters
    ----------
    html
        Tooltip content as HTML; build it from :func:`html_text` pieces.
    sticky
        Follow the mouse.
    """

    _method = "bindTooltip"

    def __init__(self, html: str, sticky: bool = True) -> None:
        super().__init__(html, sticky=sticky)
