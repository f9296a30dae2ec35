"""Prompts (issue 18): a catalogue of about 40 prompts kept as data; a member answers up to 3
(each up to 200 characters) in their own order, at onboarding or in Edit profile; the answers
show on the profile page with "like this prompt" for others."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from profiles import services
from profiles.models import Prompt, PromptAnswer
from tests.factories import MemberFactory
from tests.profiles.test_profile_pages import edit_answers

pytestmark = pytest.mark.django_db


def test_catalogue_has_about_40_prompts_in_hebrew_and_english():
    prompts = list(Prompt.objects.all())
    assert 35 <= len(prompts) <= 45
    saturday = Prompt.objects.get(slug="perfect-saturday")
    with translation.override("en"):
        assert saturday.label == "A perfect Saturday"
    with translation.override("he"):
        assert saturday.label == "שבת מושלמת"
    assert all(p.text and p.text_he for p in prompts)


def test_prompts_set_keeps_the_members_order_and_replaces_old_answers():
    member = MemberFactory()
    a, b, c = Prompt.objects.all()[:3]
    services.member_prompts_set(member=member, answers=[(a, "first"), (b, "second")])
    services.member_prompts_set(member=member, answers=[(c, " third\n"), (a, "first again")])
    rows = list(PromptAnswer.objects.filter(member=member).values_list("prompt", "answer"))
    assert rows == [(c.pk, "third"), (a.pk, "first again")]


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ("four", "too_many_prompts"),
        ("long", "prompt_too_long"),
        ("twice", "prompt_twice"),
    ],
)
def test_prompts_set_refuses_more_than_3_too_long_or_repeated(answers, code):
    member = MemberFactory()
    p = list(Prompt.objects.all()[:4])
    cases = {
        "four": [(x, "ok") for x in p],
        "long": [(p[0], "x" * 201)],
        "twice": [(p[0], "one"), (p[0], "two")],
    }
    services.member_prompts_set(member=member, answers=[(p[1], "kept")])
    with pytest.raises(ValidationError) as exc:
        services.member_prompts_set(member=member, answers=cases[answers])
    assert exc.value.code == code
    assert list(PromptAnswer.objects.values_list("answer", flat=True)) == ["kept"]


def test_edit_page_saves_prompts_in_slot_order_and_shows_them_prefilled(member_client):
    me = member_client.member
    p1, p2 = Prompt.objects.get(slug="irrational-fear"), Prompt.objects.get(slug="green-flag")
    response = member_client.post(
        "/members/edit/",
        edit_answers(
            me,
            prompt_1=str(p2.pk),
            answer_1="Kind to waiters",
            prompt_2="",
            answer_2="",
            prompt_3=str(p1.pk),
            answer_3="Pigeons",
        ),
    )
    assert response.status_code == 302
    assert [(a.prompt_id, a.answer) for a in me.prompt_answers.all()] == [
        (p2.pk, "Kind to waiters"),
        (p1.pk, "Pigeons"),
    ]
    body = member_client.get("/members/edit/").content.decode()
    assert "Kind to waiters</textarea>" in body
    assert f'<option value="{p2.pk}" selected>' in body


def test_edit_page_refuses_an_answer_without_a_prompt_and_a_repeated_prompt(member_client):
    me = member_client.member
    p = Prompt.objects.first()
    response = member_client.post(
        "/members/edit/",
        edit_answers(
            me,
            prompt_1="",
            answer_1="orphan",
            prompt_2=str(p.pk),
            answer_2="a",
            prompt_3=str(p.pk),
            answer_3="b",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the prompt you are answering." in body
    assert "Choose each prompt only once." in body
    assert not PromptAnswer.objects.exists()


def test_profile_page_shows_prompts_with_like_buttons_for_others_only(client):
    owner, viewer = MemberFactory(), MemberFactory()
    p = Prompt.objects.get(slug="perfect-saturday")
    services.member_prompts_set(member=owner, answers=[(p, "Sea, then falafel")])
    client.force_login(viewer.user)
    body = client.get(f"/members/{owner.user_id}/").content.decode()
    assert "A perfect Saturday" in body
    assert '<p class="prompt-a" dir="auto">Sea, then falafel</p>' in body
    answer = PromptAnswer.objects.get()
    assert f'name="prompt" value="{answer.pk}"' in body
    client.force_login(owner.user)
    own = client.get(f"/members/{owner.user_id}/").content.decode()
    assert "Sea, then falafel" in own
    assert 'name="prompt"' not in own


def test_onboarding_takes_prompts_and_intention_and_skipping_them_works(client):
    from accounts.models import User
    from profiles.models import Member
    from tests.factories import UserFactory
    from tests.profiles.test_onboarding import URL, answers

    p = Prompt.objects.get(slug="green-flag")
    user = UserFactory(profile_complete=False)
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert 'id="step-prompts"' in page
    assert 'name="intention"' in page
    response = client.post(
        URL, answers(prompt_1=str(p.pk), answer_1="Kind to waiters", intention="long_term")
    )
    assert response.status_code == 302
    member = Member.objects.get(user=user)
    assert member.intention == "long_term"
    assert [a.answer for a in member.prompt_answers.all()] == ["Kind to waiters"]

    skipper = UserFactory(profile_complete=False)
    client.force_login(skipper)
    assert client.post(URL, answers()).status_code == 302
    assert User.objects.get(pk=skipper.pk).profile_complete
    assert not PromptAnswer.objects.filter(member__user=skipper).exists()


def test_data_export_includes_prompts_and_details():
    from rights.data_export import user_data_export

    member = MemberFactory(intention="friends", height_cm=170)
    p = Prompt.objects.get(slug="comfort-food")
    services.member_prompts_set(member=member, answers=[(p, "Shakshuka")])
    data = user_data_export(user=member.user, base_url="https://miel.test")
    text = repr(data)
    assert "'answer': 'Shakshuka'" in text
    assert "'prompt': 'My comfort food'" in text
    assert "'intention': 'friends'" in text
    assert "'height_cm': 170" in text
