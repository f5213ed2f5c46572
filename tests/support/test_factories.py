import pytest

from tests.support.factories import make_sent_communication
from tests.support.staff import make_desk_officer, make_rapporteur


@pytest.mark.django_db
def test_a_sent_communication_and_staff_of_the_same_roles_fit_in_one_test():
    communication = make_sent_communication()
    officer = make_desk_officer("central-asia")
    rapporteur = make_rapporteur()

    staff = {communication.created_by, officer, rapporteur}

    assert len({user.username for user in staff}) == 3
