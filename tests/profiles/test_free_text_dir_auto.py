"""Member free text (name, city, about me, prompt answers, story text, report / appeal text)
is typed in either language: every such input and textarea carries ``dir="auto"`` so a Hebrew
bio on an English page (or the reverse) lines up from its own side while typing (QA)."""

from __future__ import annotations

import pytest
from django import forms

from matching.forms import ReportForm
from profiles.forms import CompleteProfileForm, ProfileForm
from safety.forms import AppealForm
from stories.forms import StoryForm
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "form_class", [ProfileForm, CompleteProfileForm, StoryForm, ReportForm, AppealForm]
)
def test_every_free_text_field_has_dir_auto(form_class):
    form = form_class()
    text = {
        name: field
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.TextInput | forms.Textarea)
        and not isinstance(field.widget, forms.NumberInput | forms.EmailInput | forms.DateInput)
    }
    assert text
    assert [n for n, f in text.items() if f.widget.attrs.get("dir") != "auto"] == []


def test_profile_edit_page_about_me_textarea_has_dir_auto(client):
    member = MemberFactory()
    client.force_login(member.user)
    body = client.get("/members/edit/").content.decode()
    assert '<textarea name="description"' in body
    start = body.index('<textarea name="description"')
    assert 'dir="auto"' in body[start : body.index(">", start)]
