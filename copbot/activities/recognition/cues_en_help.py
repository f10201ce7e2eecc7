"""English cues for asking for help: reporting a problem, and asking for information."""

from __future__ import annotations

Cue = tuple[str, float]
"""A regular-expression fragment (matched on lower-cased text at a word start) and its weight."""

# Cues are regex fragments over lower-cased text with curly apostrophes made straight. Each is
# matched at a word boundary. Weights: 3 = nearly decisive, 2 = strong, 1 = hint, 0.5 = weak hint.
# Keep them domain-neutral: the same cues must work for teachers, nurses, gardeners and developers.

PROBLEM_SOLVING: tuple[Cue, ...] = (
    (r"(?:i'?m|i am|we'?re|we are|got|getting) stuck", 3.0),
    (r"stuck (?:on|with)", 2.5),
    (r"no matter (?:what|how) (?:i|we|you) (?:do|try)", 2.5),
    (r"what am i missing", 2.0),
    (r"(?:does ?n[o']?t|do ?n[o']?t|did ?n[o']?t|wo ?n[o']?t|is ?n[o']?t|are ?n[o']?t|not) (?:seem to )?work", 2.5),
    (r"(?:stopped|stops|ceased) working", 2.5),
    (r"(?:stopped|stops|has stopped|suddenly stopped) [a-z]+ing\b", 1.5),
    (
        r"(?:ca ?n[o']?t|can ?not|unable to|could ?n[o']?t|fail(?:s|ed|ing)? to) (?:get|make|"
        r"figure|start|run|find out|stop)",
        2.0,
    ),
    (r"what am i doing wrong", 3.0),
    (r"what'?s (?:going )?wrong", 2.0),
    (r"(?:went|goes|going|gone) wrong", 2.0),
    (
        r"any (?:ideas?|suggestions?|clues?|hints?|pointers?|thoughts?) (?:why|what|how to fix|"
        r"on (?:how to fix|what))",
        2.5,
    ),
    (r"any (?:ideas?|suggestions?|clues?|hints?)\s*\?", 2.0),
    (r"any idea(?:s)?\b", 1.0),
    (r"help me (?:fix|solve|sort out|figure out|understand why)", 2.5),
    (
        r"(?:how (?:do|can|should) i|how to) (?:fix|solve|resolve|troubleshoot|debug|"
        r"deal with (?:this|the|a) (?:problem|issue))",
        2.5,
    ),
    (r"troubleshoot\w*", 1.5),
    (r"(?:error|errors|exception|traceback|stack ?trace|crash(?:es|ed|ing)?|failure|fails|failed|failing)\b", 1.5),
    (r"caused by:", 2.0),
    (r"(?:problem|issue|trouble|difficulty|difficulties) (?:with|when|while|after|since|is that)", 1.5),
    (
        r"(?:facing|having|seeing|hit|hitting|run into|running into|ran into|encounter\w*|noticed|"
        r"found|experiencing) (?:a |an |the |some |this |same |similar |weird |strange |"
        r"odd )?(?:issues?|problems?|errors?|bugs?|exceptions?|a wall|failures?|troubles?)",
        2.5,
    ),
    (
        r"(?:fails?|failed|failing|errors?|crash(?:es|ed)?|dies|died|breaks) (?:with|on|at|when|"
        r"because|after|while)",
        2.0,
    ),
    (
        r"(?:i'?m|i am|we'?re|we are|i|we|keep) (?:getting|seeing|receiving|hitting) (?:a|an|the|"
        r"this|these|that|following|an? \w+) ?(?:\w+ )?(?:error|exception|message|warning|failure|"
        r"problem|issue|status|code)",
        2.0,
    ),
    (
        r"(?:i|we) (?:get|got|see|saw|receive) (?:a|an|the|this|these|that|"
        r"following) (?:\w+ )?(?:error|exception|warning|failure)",
        2.0,
    ),
    (r"desperat\w*", 1.0),
    (
        r"(?:i|we) (?:have|had|got|am having|are having|'?ve got|keep having) (?:a |an |the |"
        r"this |some |same |similar )?(?:strange |weird |odd |big |small |little |serious |"
        r"recurring )?(?:problem|issue|trouble|bug|difficulty)",
        2.5,
    ),
    (r"(?:strange|weird|odd|unexpected|inconsistent) (?:behaviou?r|problem|issue|result|error)", 2.0),
    (
        r"(?:doesn't|does not|didn't|won't|isn't) (?:behave|respond|load|start|grow|flower|heal|"
        r"settle|engage|listen|compile|open|show|print|save)",
        2.0,
    ),
    (
        r"(?:keeps?|kept) (?:failing|crashing|dying|wilting|falling|breaking|disrupting|refusing|"
        r"getting worse|happening)",
        2.0,
    ),
    (
        r"(?:dying|wilting|rotting|turning (?:yellow|brown|black)|yellowing|infested|mould|mold|"
        r"blight|pests?)\b",
        1.5,
    ),
    (r"(?:broken|breaks|broke)\b", 1.0),
    (r"bug\b", 1.0),
    (r"instead of\b", 0.75),
    (r"expected .{1,60} but", 1.5),
    (r"(?:struggl\w+|at a loss|at my wits'? end|no idea why|can'?t figure out|can'?t work out)", 2.0),
    (r"why (?:is|does|do|are|am|would|did|is ?n't|does ?n't|do ?n't|ca ?n't|wo ?n't|won't) ", 1.0),
    (r"suddenly", 1.0),
    (r"after (?:upgrading|updating|migrating|switching|changing|moving)", 1.5),
    (r"not (?:able|allowed) to", 1.0),
    (
        r"(?:not|never) (?:being )?(?:picked up|applied|called|triggered|loaded|found|recognised|"
        r"recognized|resolved)",
        1.5,
    ),
    (r"wrong\b", 0.75),
    (r"(?:please|pls|plz) help", 1.5),
    # Reporting what happens (or does not): a problem, whatever the field.
    (r"(?:the )?(?:problem|issue|trouble) (?:i'?m|i am|we'?re|we are) (?:having|facing|seeing)", 2.5),
    (
        r"(?:is|are|was|were) ?n[o']?t (?:being )?(?:picked up|applied|called|triggered|loaded|found|closed|saved|"
        r"shown|sent|used|working)",
        1.5,
    ),
    (r"(?:do ?n[o']?t|does ?n[o']?t|ca ?n[o']?t) seem to (?:get|make|find|work|be able)", 2.0),
    (r"(?:not|isn'?t|is not|wasn'?t) (?:as|what) (?:i |we )?expected", 2.0),
    (r"(?:i'?m|i am|we'?re|we are) not (?:getting|seeing|able)", 1.5),
    (r"(?:help me|helping me) (?:with )?(?:solv|fix|sort|debug)\w*", 2.0),
    (r"(?:any|some) help (?:would be|is) (?:great|appreciated|welcome)", 0.75),
)

REQUEST_FOR_INFORMATION: tuple[Cue, ...] = (
    (
        r"where (?:can|could|do|should|would) (?:i|we|one|you) (?:find|get|look|read|download|buy|"
        r"see|access|learn)",
        3.0,
    ),
    (r"where(?:'s| is| are) (?:the|a|an) ", 1.5),
    (
        r"(?:is there|are there) (?:a|an|any|some) (?:way|option|setting|guide|guideline|tutorial|"
        r"example|documentation|docs|resource|list|template|policy|standard|form|course|book|"
        r"website|site|tool|recommended)",
        2.5,
    ),
    (r"is (?:it|this|that) possible", 2.0),
    (r"is there (?:a|an|any) (?:\w+ )?way", 2.0),
    (r"how (?:do|can|could|should|would) (?:i|we|you|one) ", 1.5),
    (r"how to ", 1.25),
    (
        r"(?:does|do) (?:anyone|anybody|someone|somebody|you(?: guys| all)?|"
        r"any of you) know (?:where|if|whether|how|what|which|of|about|a|an|any)",
        2.5,
    ),
    (
        r"(?:can|could|would) (?:anyone|anybody|someone|somebody|you) (?:point me|recommend|"
        r"suggest|tell me|explain|share (?:a|the) link)",
        2.5,
    ),
    (r"(?:point(?:ing)? me|pointers?) (?:to|in the right direction|towards)", 2.0),
    (
        r"(?:looking|searching|hunting) for (?:a|an|some|any|the|good|information|info|docs|"
        r"documentation|examples?|resources?|guidance|material)",
        2.0,
    ),
    (
        r"(?:any|good|some) (?:recommendations?|resources?|references?|tutorials?|docs|"
        r"documentation|reading|materials?|books?|courses?|examples?|samples?)\b",
        2.0,
    ),
    (
        r"(?:documentation|docs|guidelines?|handbook|manual|tutorial|reference guide|wiki|faq|"
        r"protocol|syllabus|curriculum)\b",
        1.0,
    ),
    (
        r"(?:what|which)(?: is| are|'s) the (?:best|recommended|right|correct|proper|preferred|"
        r"standard|usual|easiest|simplest|difference)",
        2.0,
    ),
    (r"difference between", 2.0),
    (r"what (?:does|do) .{1,40} mean", 2.0),
    (r"(?:what|which) (?:\w+ )?(?:should|would|do) (?:i|we|you) (?:use|choose|pick|buy|plant|read|follow)", 1.5),
    (
        r"(?:is|are) (?:\w+ ){0,3}(?:supported|supposed to|meant to|required|allowed|recommended|"
        r"needed|available)",
        1.5,
    ),
    (r"(?:i|we)(?: would like| want| need|'d like) to (?:know|learn|understand|find out)", 1.5),
    (r"(?:i|we) (?:was|were|am|are) wondering", 1.25),
    (r"(?:quick|simple|general|small|basic|beginner) question", 1.5),
    (
        r"(?:can|could) (?:i|we|you|one) (?:use|configure|set|change|add|have|make|do|combine|"
        r"pass|specify|override|plant|give|claim)",
        1.25,
    ),
    (r"(?:new to|beginner|just started|getting started)", 1.0),
    (r"(?:any|some) (?:advice|tips|guidance|suggestions?)", 1.25),
    (r"should (?:i|we) ", 1.0),
    (r"(?:i|we) (?:have|had|got) (?:a|one|some|another|few|two) (?:\w+ )?questions?", 2.0),
    (r"questions? (?:on|about|regarding|for)", 1.5),
    (r"what(?: is| are|'s) (?:the )?(?:purpose|use|point|meaning|role|idea|reason)", 2.0),
    (
        r"(?:what|which)(?: is| are|'s) (?:an? |the )?(?:appropriate|good|proper|right|correct|"
        r"recommended|best|better|easiest|simplest|cleanest) (?:way|approach|practice|option|tool|"
        r"place)",
        2.5,
    ),
    (
        r"(?:anyone|anybody|someone|somebody|any ?one) (?:here )?(?:who )?(?:can|could|would|will|"
        r"able to) (?:help|teach|suggest|explain|show|guide|advise|tell)",
        2.0,
    ),
    (r"suggest me", 1.5),
    (
        r"(?:i'?m|i am|we'?re|we are) (?:researching|investigating|trying to (?:find out|"
        r"understand|learn|figure out))",
        1.5,
    ),
    (r"how (?:are|am|is) (?:you|we|i|one|it) (?:supposed|meant|expected) to", 2.5),
    (r"who (?:has|have|keeps|holds|owns) (?:the|a|an) ", 1.0),
    (r"(?:explanation|explain|clarification|clarify)\b", 1.0),
    (r"(?:where|how) (?:do|should|can) (?:i|we) (?:start|begin)", 2.5),
)
