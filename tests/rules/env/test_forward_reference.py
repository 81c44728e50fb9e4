from tests.helpers import run_files, triples


def test_reference_to_key_defined_later(tmp_path):
    text = ("MONGODB_URL=mongodb://admin:${MONGODB_PASSWORD}@mongodb:27017/app\n"
            "B=\"x $MONGODB_PASSWORD ${C:-${D}}\"\n"
            "MONGODB_PASSWORD=CHANGE_ME\nC=1\nD=2\n")
    found = run_files(tmp_path, {".env.dev.example": text}, select="EN010")
    assert triples(found) == [("EN010", 1, 29), ("EN010", 2, 6), ("EN010", 2, 24), ("EN010", 2, 29)]
    assert found[0].severity.label == "warning"


def test_earlier_shell_single_quoted_and_escaped_pass(tmp_path):
    text = ("A=1\nB=${A}\nC='${LATER}'\nD=\"\\${LATER} $${LATER}\"\nE=${FROM_SHELL}\nLATER=1\n")
    assert run_files(tmp_path, {".env.dev.example": text}, select="EN010") == []
