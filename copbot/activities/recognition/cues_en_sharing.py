"""English cues for learning from one another: experience, assets, arguments, confidence, visits, gaps."""

from __future__ import annotations

from copbot.activities.recognition.cues_en_help import Cue

# Cues are regex fragments over lower-cased text with curly apostrophes made straight. Each is
# matched at a word boundary. Weights: 3 = nearly decisive, 2 = strong, 1 = hint, 0.5 = weak hint.
# Keep them domain-neutral: the same cues must work for teachers, nurses, gardeners and developers.

SEEKING_EXPERIENCE: tuple[Cue, ...] = (
    (
        r"(?:has|have|did) (?:anyone|anybody|someone|somebody|any of you|you guys|others)(?: else|"
        r" here)? (?:ever )?(?:dealt|dealing|done|tried|had|experienced|faced|come across|"
        r"run into|encountered|used|seen|worked|managed|handled|introduced|implemented|"
        r"gone through|been through|grown|built|made|taught|raised|kept|run|started|switched|attempted)",
        3.0,
    ),
    (
        r"(?:is|are) (?:anyone|anybody|someone|any of you)(?: else| here)? (?:using|running|doing|"
        r"dealing|working with|trying)",
        2.5,
    ),
    (r"(?:in|from) (?:your|anyone'?s|people'?s) (?:own )?experience", 3.0),
    (r"(?:your|any|first-?hand|practical|real-?world) experiences?(?: with| of| in)?", 1.5),
    (r"anyone (?:else )?(?:with|have|got) (?:experience|experiences)", 3.0),
    (r"(?:what|how) (?:has|have|was|were) (?:your|others'?) (?:experience|results)", 3.0),
    (r"(?:how|what) did (?:you|others|other people|anyone) (?:handle|deal with|manage|approach|cope)", 2.5),
    (r"(?:what|how) (?:works?|worked) for (?:you|others|other people)", 2.5),
    (r"(?:for )?those of you (?:who|that)", 2.5),
    (r"how did (?:it|that|yours?|things) (?:go|work out|turn out|come out)", 2.0),
    (r"anyone (?:else )?(?:tried|dealt|had|seen|faced|experienced|used)", 2.0),
    (r"(?:lessons|stories|war stories) from", 1.0),
    (r"(?:same|similar) (?:situation|experience|problem|issue|case)", 1.0),
)

REUSING_ASSETS: tuple[Cue, ...] = (
    (
        r"(?:templates?|boilerplate|starter kit|lesson plans?|worksheets?|checklists?|"
        r"slide ?decks?|handouts?|spreadsheets?|care plans?|planting plans?)\b",
        0.75,
    ),
    (r"you (?:can|could|may) (?:tweak|adapt|reuse|re-use|copy|borrow|modify|adjust|use mine|have mine|edit)", 3.0),
    (r"(?:feel free|welcome|free) to (?:use|reuse|re-use|copy|adapt|borrow|steal|tweak)", 3.0),
    (r"(?:happy|glad|willing) to share", 2.5),
    (r"use (?:it|them|this|these|mine|ours) (?:for|in|with) your", 2.5),
    (
        r"(?:i|we)(?: have| made| wrote| created| built| put together| uploaded| shared|'ve got|'ve made|'ve written|"
        r"'ve created|'ve built|'ve put together|'ve uploaded|'ve shared) (?:a|an|one|our|my|"
        r"some)? ?(?:\w+ ){0,2}(?:template|plan|checklist|spreadsheet|worksheet|form|script|"
        r"slides|handout|document|doc|guide) (?:from|you|that|we|i|for|to)",
        2.5,
    ),
    (r"from last (?:year|term|season|semester|time|project)", 1.5),
    (r"(?:reuse|re-use|reusing|re-using|recycle|repurpose)\b", 1.0),
    (r"(?:no need to|don't) (?:reinvent|start from scratch)", 2.5),
    (r"reinvent(?:ing)? the wheel", 2.5),
    (r"(?:here'?s|here is|attached is|attaching|sharing) (?:mine|ours|my|our|the one)", 2.0),
    (r"(?:can i|could i|may i) (?:borrow|use|copy|see) (?:your|yours)", 2.5),
    (
        r"(?:does|do) (?:anyone|anybody|someone) have (?:a|an) (?:\w+ )?(?:template|example|"
        r"sample|plan|checklist|form)",
        2.5,
    ),
)

BUILDING_AN_ARGUMENT: tuple[Cue, ...] = (
    (
        r"how do (?:other|others|different) (?:\w+ )?(?:countries|schools|hospitals|wards|teams|"
        r"organi[sz]ations|companies|councils|trusts|gardens|clubs|regions|districts|projects|"
        r"communities|places|units|people)?",
        3.0,
    ),
    (
        r"(?:what|how) (?:do|does|did) (?:other|others|your) (?:\w+ )?(?:countries|schools|"
        r"hospitals|wards|teams|organi[sz]ations|companies|councils|trusts|clubs|regions|"
        r"districts|projects)",
        3.0,
    ),
    (r"(?:make|making|build|building|strengthen) (?:a|the|my|our) (?:case|argument|business case)", 3.0),
    (r"(?:convince|persuade|justify|lobby|push back)\b", 2.0),
    (
        r"(?:evidence|data|research|studies|statistics|figures|"
        r"numbers) (?:to )?(?:that )?(?:support|show|backs?|prove|for|on|about)",
        2.0,
    ),
    (r"(?:evidence-based|evidence base|best practices?|benchmarks?|case stud(?:y|ies))\b", 1.5),
    (
        r"(?:management|the board|my boss|leadership|the council|the head|senior team|"
        r"stakeholders) (?:wants?|needs?|asked|asks|is asking)",
        1.5,
    ),
    (r"(?:compared? (?:to|with)|in comparison|elsewhere|other countries|abroad)\b", 1.0),
)

GROWING_CONFIDENCE: tuple[Cue, ...] = (
    (r"run (?:it|this|that|something|an idea|my (?:\w+ ){0,2}\w+) (?:past|by) (?:you|someone|the group|everyone)", 3.0),
    (r"before i (?:do|go ahead|send|submit|start|commit|post|publish|present|try|make|deploy|proceed)", 2.0),
    (r"(?:sanity|reality) check", 3.0),
    (
        r"am i (?:on the right track|doing (?:this|it) right|right (?:in|to|that)|"
        r"missing something|thinking about this right|crazy)",
        3.0,
    ),
    (
        r"(?:does|do) (?:this|my|these) (?:\w+ ){0,4}(?:look|sound|seem) (?:right|ok|okay|good|"
        r"reasonable|correct|sensible|fine)",
        3.0,
    ),
    (r"(?:second|another) (?:pair of eyes|opinion)", 3.0),
    (r"(?:double|triple)[- ]?check", 2.0),
    (
        r"(?:would|could|can) (?:you|someone|anyone) (?:please )?(?:review|check|look over|"
        r"glance over|proofread|have a look at) (?:my|this|it)",
        2.5,
    ),
    (r"(?:feedback|comments|thoughts) on my", 2.5),
    (
        r"(?:is|was) (?:this|my|that) (?:\w+ )?(?:approach|plan|idea|reasoning|understanding|"
        r"assumption) (?:right|correct|ok|sound|reasonable)",
        2.5,
    ),
    (
        r"(?:not (?:sure|confident)|unsure|nervous|worried) (?:if|whether|that|about) (?:i'?m|"
        r"i am|i'?ve|my|this is)",
        1.5,
    ),
    (r"(?:first time|never done this before)", 1.0),
    (r"(?:to be (?:on the )?safe|just to (?:be sure|confirm|make sure)|confirm (?:that|my understanding))", 1.5),
)

VISITS: tuple[Cue, ...] = (
    (r"(?:come|drop|pop|stop) (?:and|to|by|in|over) (?:and )?(?:see|visit|look|observe|check out)", 3.0),
    (r"(?:site|school|ward|farm|garden|study|field|exchange|learning) (?:visits?|trips?|tours?)", 3.0),
    (r"(?:visit|visiting|tour|touring)\b", 1.5),
    (r"(?:organi[sz]ing|planning|arranging|booking) (?:a |an )?(?:\w+ )?(?:trip|outing|excursion|day out|tour)", 3.0),
    (r"(?:can|could|may) (?:i|we) (?:visit|come|shadow|observe|sit in|drop by|see (?:it|your \w+) in action)", 3.0),
    (r"(?:shadow|shadowing|observe|observing|sit in on|open day|open house)\b", 1.5),
    (r"(?:host|hosting|welcome) (?:a|you|us|visitors|a group)", 1.5),
    (r"see (?:it|your \w+|how you \w+) in (?:action|practice|person)", 2.5),
)

IDENTIFYING_GAPS: tuple[Cue, ...] = (
    (r"who knows (?:what|about|how)", 3.0),
    (r"what (?:\w+ )?(?:are we|is our \w+) missing", 3.0),  # "what am I missing?" asks for help, not a gap
    (r"none of us (?:really )?(?:knows?|has|have|can|is|are|understands?)", 3.0),
    (r"(?:nobody|no one|no-one) (?:here )?(?:can|could) (?:answer|help with|explain)", 2.5),
    (
        r"(?:get|bring|invite|find) (?:someone|somebody|an expert|a trainer|a specialist) (?:in )?to "
        r"(?:teach|train|show)",
        2.5,
    ),
    (r"(?:gaps?|blind spots?)\b", 1.5),
    (r"(?:skills?|knowledge|expertise|competenc(?:y|ies)) (?:map|matrix|audit|inventory|gap|gaps|directory)", 3.0),
    (
        r"who(?: is| are|'s) (?:the|our) (?:go-to |best |local )?(?:experts?|go-to|persons?|people|"
        r"contacts?|leads?|champions?) (?:on|for)",
        3.0,
    ),
    (r"(?:nobody|no one|no-one) (?:here |(?:in|on|at) (?:the|our|this) \w+ )?(?:knows|covers|does|has)", 2.0),
    (r"(?:we|the group|our team) (?:lack|are lacking|are missing|don'?t have anyone)", 2.5),
    (r"(?:who has|who's got|anyone with) (?:expertise|skills|knowledge) (?:in|on|about)", 2.0),
    (r"what (?:don'?t we know|should we learn|topics are missing|is missing)", 2.5),
)
