"""The site's form renderer (``diplomacy.form_renderer``): Django's widgets in Jinja2, the admin's
in the template language, with the same HTML as Django's default renderer but for whitespace."""

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as Jinja2Template

from diplomacy.form_renderer import FormRenderer
from registry.forms import CountrySelect


def test_the_site_renders_djangos_widgets_with_jinja2_and_the_admins_with_its_template_language():
    renderer = get_default_renderer()
    assert isinstance(renderer, FormRenderer)
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), Jinja2Template)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


NOTE = 'Busan\'s <first> "sister city"'


class SampleForm(forms.Form):
    name = forms.CharField(max_length=5, help_text="At most 5 letters.")
    country = forms.ChoiceField(choices=[("", "Any"), ("ci", "Côte d'Ivoire"), ("kz", "Kazakhstan")])
    countries = forms.MultipleChoiceField(choices=[("jp", "Japan"), ("kz", "Kazakhstan")], required=False)
    on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(widget=forms.Textarea, initial=NOTE)
    agree = forms.BooleanField()
    menu = forms.ChoiceField(choices=[("kz", "Kazakhstan"), ("jp", "Japan")], widget=CountrySelect)


def normalized(html: str) -> str:
    """The HTML without blank lines or runs of white space, apostrophes and quotes escaped one way."""
    html = html.replace("&#x27;", "&#39;").replace("&quot;", "&#34;")
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"name": "Almaty-too-long", "country": "xx", "on": "2022-02-30", "menu": ["kz", "jp"], "note": NOTE},
        {"name": "Busan", "country": "ci", "countries": ["jp", "kz"], "on": "2022-09-21", "agree": "on", "note": NOTE},
    ],
)
def test_every_widget_and_error_reads_as_with_djangos_default_renderer(data):
    ours = SampleForm(data, renderer=FormRenderer())
    django = SampleForm(data, renderer=DjangoTemplates())
    assert normalized(str(ours)) == normalized(str(django))
    for name in SampleForm.base_fields:
        assert normalized(str(ours[name])) == normalized(str(django[name]))
    assert "Côte d&#39;Ivoire" in str(ours["country"])
    assert "Busan&#39;s &lt;first&gt; &#34;sister city&#34;" in str(ours["note"])


@pytest.mark.django_db
def test_the_admins_add_form_and_the_public_filters_render(staff_client, client):
    page = staff_client.get("/admin/registry/partnership/add/").content.decode()
    assert 'class="related-widget-wrapper"' in page  # the admin's own widget template
    assert '<select name="kind"' in page
    listing = client.get("/cities/?country=kz&country=jp").content.decode()
    assert re.search(r'<select name="country"[^>]*multiple', listing)
