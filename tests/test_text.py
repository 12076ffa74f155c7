from __future__ import annotations

from extractor.text import label_key, ordinal, similarity


def test_label_key_drops_numbering_spaces_and_hints() -> None:
    assert label_key("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形）") == "部分公开"
    assert label_key("5.要求行政机关确认或重 新出具\n已获取信息") == "要求行政机关确认或重新出具已获取信息"
    assert label_key("3.危及“三安全一稳定”") == label_key('3.危及"三安全一稳定"')
    assert label_key("1、申请人逾期") == label_key("1.申请人逾期")
    assert label_key("三、\n本\n年\n度\n办\n理\n结\n果") == "本年度办理结果"


def test_similarity_tolerates_typos_not_other_rows() -> None:
    assert similarity("2.其他法律行政止公开", "2.其他法律行政法规禁止公开") > 0.8
    assert similarity("商业企\n业", "商业企业") == 1.0
    assert similarity("3.要求提供公开出版物", "2.重复申请") < 0.3


def test_ordinal() -> None:
    assert ordinal("（三）不予公开") == "三"
    assert ordinal("2.重复申请") == "2"
    assert ordinal("重复申请") is None
