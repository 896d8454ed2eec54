"""The widget HTML made in Python (`form_blocks.widget_html`) is what the template it
replaced made: that template is kept here, and both render every widget of the shipped
forms and of the sample form, in every state a widget has (errors, hidden, read-only,
write-only with an answer stored, assigned, hidden choices, values with markup)."""

from dataclasses import replace

import pytest
from django.template import Context, Template
from django.utils import translation

from aigak.questionnaires.registry import FORMS_DIR, SHIPPED
from aigak.questionnaires.webform import build_form
from aigak.questionnaires.xlsform import load_xlsform
from aigak.records.tests.sample_forms import sample_victim_xlsform

# records/_widget.html as it was before the widget was made in Python.
TEMPLATE = """{% load i18n %}<div class="field field-{{ w.widget }}{% if w.errors %} has-error{% endif %}" data-field="{{ w.name }}"{% if not w.relevant %} hidden{% endif %}>
{% if w.widget == "note" %}
  <p class="note" data-label-for="{{ w.name }}">{{ w.label }}</p>
{% elif not w.editable %}
  <div class="label" data-label-for="{{ w.name }}">{{ w.label }}</div>
  <div class="readonly"{% if w.widget == "calculate" %} data-calculated="{{ w.name }}"{% endif %}>{{ w.display|default:"—" }}</div>
{% elif w.widget == "radio" or w.widget == "checkboxes" %}
  <fieldset class="choices" {% if w.hint %}aria-describedby="{{ w.input_id }}-hint"{% endif %}>
    <legend><span data-label-for="{{ w.name }}">{{ w.label }}</span>{% if w.required %} <abbr class="req" title="{% translate 'required' %}">*</abbr>{% endif %}</legend>
    {% if w.hint %}<p class="hint" id="{{ w.input_id }}-hint">{{ w.hint }}</p>{% endif %}
    <div class="options">
    {% for c in w.choices %}<label class="choice"{% if c.hidden %} hidden{% endif %}><input type="{% if w.widget == 'radio' %}radio{% else %}checkbox{% endif %}" name="{{ w.input_name }}" value="{{ c.name }}"{% if c.checked %} checked{% endif %}{% if c.hidden %} disabled{% endif %}> <span>{{ c.label }}</span></label>{% endfor %}
    {% if w.widget == "radio" and not w.required %}<label class="choice unset"><input type="radio" name="{{ w.input_name }}" value=""{% if not w.value %} checked{% endif %}> <span>{% translate "not indicated" %}</span></label>{% endif %}
    </div>
  </fieldset>
{% else %}
  <label for="{{ w.input_id }}"><span data-label-for="{{ w.name }}">{{ w.label }}</span>{% if w.required %} <abbr class="req" title="{% translate 'required' %}">*</abbr>{% endif %}</label>
  {% if w.hint %}<p class="hint" id="{{ w.input_id }}-hint">{{ w.hint }}</p>{% endif %}
  {% if w.widget == "textarea" %}
  <textarea id="{{ w.input_id }}" name="{{ w.input_name }}" rows="5"{% if w.hint %} aria-describedby="{{ w.input_id }}-hint"{% endif %}>{{ w.value }}</textarea>
  {% elif w.widget == "select" %}
  <select id="{{ w.input_id }}" name="{{ w.input_name }}"{% if w.hint %} aria-describedby="{{ w.input_id }}-hint"{% endif %}>
    <option value="">{% translate "— not indicated —" %}</option>
    {% for c in w.choices %}<option value="{{ c.name }}"{% if c.checked %} selected{% endif %}{% if c.hidden %} hidden disabled{% endif %}>{{ c.label }}</option>{% endfor %}
  </select>
  {% else %}
  <input id="{{ w.input_id }}" name="{{ w.input_name }}" type="{{ w.input_type }}" value="{{ w.value }}"{% if w.inputmode %} inputmode="{{ w.inputmode }}"{% endif %}{% if w.widget == "integer" %} step="1"{% endif %}{% if w.widget == "geopoint" %} placeholder="43.2380 76.9450"{% endif %}{% if w.hint %} aria-describedby="{{ w.input_id }}-hint"{% endif %}>
  {% endif %}
{% endif %}
{% if w.assigned %}
  <p class="hint">{% translate "Left empty, the next free number is assigned when saving." %}</p>
{% endif %}
{% if w.write_only %}
  <p class="hint confidential">{% translate "Confidential: you may enter this answer but not read it back." %}{% if w.stored %} {% translate "An answer is stored; leave this empty to keep it." %}{% endif %}</p>
{% endif %}
  <ul class="errorlist" data-errors-for="{{ w.input_name }}">{% for error in w.errors %}<li>{{ error }}</li>{% endfor %}</ul>
</div>
"""
MARKUP = "<b>\"Bold\" & 'quoted'</b>"


def _normalized(html: str) -> str:
    """Whitespace between elements and runs of it do not count (no <pre> or <textarea>
    holds a line break in these forms)."""
    import re

    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def _widgets(block):
    for item in block.items:
        if item.is_block:
            yield from _widgets(item)
            for entry in [*item.entries, *([item.blank] if item.blank else [])]:
                yield from entry.widgets
                for inner in entry.blocks:
                    yield from _widgets(inner)
        else:
            yield item


def _definitions():
    found = [(name, load_xlsform((FORMS_DIR / f"{name}.xlsx").read_bytes())) for name in SHIPPED]
    return [*found, ("sample", load_xlsform(sample_victim_xlsform()))]


def _variants(widget):
    """The widget as built, and in each other state the template tells apart."""
    yield widget
    yield replace(widget, errors=["Too long", MARKUP], relevant=False, required=True)
    yield replace(widget, required=not widget.required, hint=MARKUP, label=MARKUP)
    yield replace(widget, editable=False, display="")
    yield replace(widget, editable=False, display=MARKUP)
    yield replace(widget, write_only=True, stored=True, assigned=True, value=MARKUP)
    yield replace(widget, write_only=True, stored=False, value="")
    if widget.choices:
        choices = [replace(c, hidden=i % 2 == 0, checked=i % 3 == 0, label=f"{c.label}{MARKUP}")
                   for i, c in enumerate(widget.choices)]  # fmt: skip
        yield replace(widget, choices=choices, value="")
        yield replace(widget, choices=choices, value=widget.choices[0].name)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_it_makes_what_the_template_made(lang):
    template = Template(TEMPLATE)
    compared = 0
    with translation.override(lang):
        for _name, definition in _definitions():
            names = set(definition.fields) | set(definition.repeats())
            editable = {n for i, n in enumerate(sorted(names)) if i % 5}
            values = {n: "2024-01-02" for n, f in definition.fields.items() if f.type == "date"}
            form = build_form(definition, values, lang=lang, visible=names, editable=editable)
            for widget in _widgets(form):
                for variant in _variants(widget):
                    expected = template.render(Context({"w": variant}))
                    assert _normalized(variant.html) == _normalized(expected), variant.name
                    compared += 1
    assert compared > 1000


def test_it_escapes_every_value():
    definition = load_xlsform(sample_victim_xlsform())
    names = set(definition.fields)
    form = build_form(definition, {}, lang="en", visible=names, editable=names)
    for widget in _widgets(form):
        html = replace(widget, label=MARKUP, hint=MARKUP, value=MARKUP, errors=[MARKUP]).html
        assert "<b>" not in html and "&lt;b&gt;" in html
