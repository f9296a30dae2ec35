"""Forms of the stories pages (input parsing only; rules live in ``stories.services``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from miel.text import validate_single_line

from .filters import filter_choices
from .models import STORY_TEXT_MAX_CHARS, Story


class StoryForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 10 MB. Location data is removed."),
    )
    text_overlay = forms.CharField(
        label=_("Text on the photo"),
        max_length=STORY_TEXT_MAX_CHARS,
        required=False,
        validators=[validate_single_line],
        widget=forms.TextInput(
            attrs={"maxlength": STORY_TEXT_MAX_CHARS, "autocomplete": "off", "dir": "auto"}
        ),
        help_text=_("Up to 100 characters. Tap the preview to place it."),
    )
    text_x = forms.FloatField(min_value=0, max_value=1, required=False, widget=forms.HiddenInput)
    text_y = forms.FloatField(min_value=0, max_value=1, required=False, widget=forms.HiddenInput)
    filter = forms.ChoiceField(
        label=_("Filter"), choices=filter_choices, required=False, widget=forms.RadioSelect
    )
    privacy = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Story.Privacy.choices,
        initial=Story.Privacy.PUBLIC,
        widget=forms.RadioSelect,
    )


class ReplyForm(forms.Form):
    text = forms.CharField(max_length=2000, strip=True)
