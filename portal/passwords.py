"""A password validator beside Django's: a password that is one word said several times is weak.

Django's common-password list holds "password" but not "passwordpassword"; a repeated word adds
length without adding much an attacker has to guess.
"""

import re

from django.core.exceptions import ValidationError


class RepeatedWordValidator:
    def validate(self, password: str, user=None) -> None:
        if re.fullmatch(r"(.{1,8}?)\1+", password, flags=re.DOTALL | re.IGNORECASE):
            raise ValidationError("This password is one short word repeated.", code="password_repeated")

    def get_help_text(self) -> str:
        return "Your password cannot be one short word repeated."
