"""New passwords: long enough, not too long, and not among the common ones."""

from __future__ import annotations

import pytest

from app.services.users import MAX_PASSWORD_LENGTH, password_problems


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop12", "aaaaaaaaaaaa", "Password2026!", "123456789012"]
)
def test_common_or_patterned_passwords_are_refused(password):
    problems = password_problems(password)
    assert problems and "harder to guess" in problems[0]


def test_a_password_made_of_the_users_own_address_is_refused():
    assert password_problems("ann.lee@osu.edu", user_inputs=["ann.lee@osu.edu"])


@pytest.mark.parametrize("password", ["correct horse battery staple", "liz picks a password"])
def test_a_few_unrelated_words_are_accepted(password):
    assert password_problems(password) == []


def test_length_bounds_are_explained():
    assert password_problems("short") == ["Use at least 12 characters."]
    long = "correct horse battery staple " * 5
    assert password_problems(long) == [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
