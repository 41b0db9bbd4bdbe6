"""The form renderer of the whole site (``FORM_RENDERER``): Django's widget and form templates
rendered with Jinja2, and any other widget template (the admin's, the apps') with Django's
template language.

Django ships each of its form templates twice, in its template language and in Jinja2, and
renders them alike (``django.forms.renderers.Jinja2``); the admin's own widget templates
(``admin/widgets/...``) exist only in the template language, so Django's pure Jinja2 renderer
cannot render the admin. Rendering the widgets with Jinja2 took 4–5 ms off every public list
(the filter form's menus, one template per option: ``/cities/`` 49 → 44 ms, ``/events/`` 21 → 17
ms at the shipped size, cold, on SQLite). The HTML differs only in blank lines and in how an
apostrophe and a double quote are escaped (``&#39;`` and ``&#34;`` instead of ``&#x27;`` and
``&quot;``), which read the same.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


class FormRenderer(BaseRenderer):
    """Each form template from Django's Jinja2 copies when there is one, else in the template
    language from where Django's default renderer (``DjangoTemplates``) finds it: Django's form
    templates and each installed app's ``templates/`` folder (the admin's, django-import-export's),
    not the project's ``templates/``, as before this renderer."""

    @cached_property
    def jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
