"""English cue phrases for each practice activity, and the English thanks patterns."""

from __future__ import annotations

import logging

from copbot.core.labels import Activity

logger = logging.getLogger(__name__)

Cue = tuple[str, float]
"""A regular-expression fragment (matched on lower-cased text at a word start) and its weight."""

A = Activity

# Cues are regex fragments over lower-cased text with curly apostrophes made straight. Each is
# matched at a word boundary. Weights: 3 = nearly decisive, 2 = strong, 1 = hint, 0.5 = weak hint.
# Keep them domain-neutral: the same cues must work for teachers, nurses, gardeners and developers.
EN_CUES: dict[Activity, tuple[Cue, ...]] = {
    A.PROBLEM_SOLVING: (
        (r"(?:i'?m|i am|we'?re|we are|got|getting) stuck", 3.0),
        (r"stuck (?:on|with)", 2.5),
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
    ),
    A.REQUEST_FOR_INFORMATION: (
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
            r"(?:what|which) (?:is|are|'s) the (?:best|recommended|right|correct|proper|preferred|"
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
        (r"(?:i|we) (?:would like|want|need|'d like) to (?:know|learn|understand|find out)", 1.5),
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
        (r"what (?:is|are|'s) (?:the )?(?:purpose|use|point|meaning|role|idea|reason)", 2.0),
        (
            r"(?:what|which) (?:is|are|'s) (?:an? |the )?(?:appropriate|good|proper|right|correct|"
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
    ),
    A.SEEKING_EXPERIENCE: (
        (
            r"(?:has|have|did) (?:anyone|anybody|someone|somebody|any of you|you guys|others)(?: else|"
            r" here)? (?:ever )?(?:dealt|dealing|done|tried|had|experienced|faced|come across|"
            r"run into|encountered|used|seen|worked|managed|handled|introduced|implemented|"
            r"gone through|been through)",
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
        (r"anyone (?:else )?(?:tried|dealt|had|seen|faced|experienced|used)", 2.0),
        (r"(?:lessons|stories|war stories) from", 1.0),
        (r"(?:same|similar) (?:situation|experience|problem|issue|case)", 1.0),
    ),
    A.REUSING_ASSETS: (
        (
            r"(?:templates?|boilerplate|starter kit|lesson plans?|worksheets?|checklists?|"
            r"slide ?decks?|handouts?|spreadsheets?|care plans?|planting plans?)\b",
            0.75,
        ),
        (r"you (?:can|could|may) (?:tweak|adapt|reuse|re-use|copy|borrow|modify|adjust|use mine|have mine|edit)", 3.0),
        (r"(?:feel free|welcome|free) to (?:use|reuse|re-use|copy|adapt|borrow|steal|tweak)", 3.0),
        (r"(?:happy|glad|willing) to share", 2.5),
        (
            r"(?:i|we) (?:have|made|wrote|created|built|put together|'ve got) (?:a|an|one|"
            r"some)? ?(?:\w+ ){0,2}(?:template|plan|checklist|spreadsheet|worksheet|form|script|"
            r"slides|handout|document|doc|guide) (?:from|you|that|we|i|for)",
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
    ),
    A.COORDINATION: (
        (
            r"(?:can|could|shall|should) we (?:combine|pool|share|split|coordinate|organi[sz]e|meet|"
            r"align|schedule|team up|join|set up|arrange|plan)",
            3.0,
        ),
        (
            r"let'?s (?:combine|pool|split|coordinate|meet|align|schedule|team up|sync|organi[sz]e|"
            r"arrange|plan|divide)",
            3.0,
        ),
        (r"(?:join forces|team up|bulk (?:order|buy|purchase)|group (?:order|buy|purchase)|car ?pool|carpool)", 3.0),
        (r"(?:combine|pool) (?:our|the|resources|orders|purchases|efforts)", 2.5),
        (r"split (?:the|our) (?:cost|costs|order|work|bill|shifts?)", 2.5),
        (r"who (?:can|will|could|wants to) (?:take|cover|bring|lead|host|organi[sz]e|handle|do|pick up)", 2.5),
        (r"(?:sign(?:-| )?up|rota|roster|timetable|schedule|calendar|shift swap|doodle|availability)\b", 1.0),
        (r"(?:when|what time) (?:can|shall|should|do|are) we (?:meet|start|go|do)", 2.5),
        (r"(?:deadline|eta|release date|due date|timeline|roadmap|milestone)\b", 1.25),
        (
            r"when (?:will|is|are|would|do you expect) .{0,60}(?:released|available|out|ready|"
            r"published|shipped|fixed|merged|land)",
            2.0,
        ),
        (r"(?:next|upcoming|planned|scheduled) (?:release|version|meeting|session|term|season)", 1.5),
        (r"(?:any|an) (?:update|estimate|news) on", 1.5),
        (r"(?:status|progress) (?:of|on) ", 1.5),
        (r"(?:who is|who's|anyone) working on", 2.0),
        (
            r"(?:any|are there|is there (?:a|any)|what are the|what's the) (?:plans?|intention|"
            r"roadmap|road map|timeline|schedule|date)",
            2.5,
        ),
        (
            r"(?:plan|plans|planned|planning|intend|intends|going) to (?:support|add|introduce|"
            r"release|provide|ship|publish|include|open|launch|offer|run|hold)",
            2.0,
        ),
        (r"(?:in|for) the (?:near )?future", 1.5),
        (r"(?:planned|target|expected|estimated) (?:date|release|time|for)", 2.0),
        (r"(?:end of life|end-of-life|eol|general availability|on the road ?map)\b", 2.0),
        (r"(?:ongoing|current) (?:discussions?|work|efforts?|plans?)", 2.0),
        (r"(?:is|are) .{1,40} going to be", 1.5),
        (r"will (?:\w+ ){1,4}(?:support|provide|ship|include|become|be (?:released|available|ready|supported))", 1.5),
        (r"where is .{1,40} (?:so far|at|up to) with", 2.0),
        (r"(?:is there|any) (?:hope|chance|news) (?:for|of|that|on)", 2.0),
        (
            r"(?:will|would|could|can) (?:this|that|it|the fix|the change|the patch) (?:\w+ )?(?:land|be "
            r"(?:merged|included|backported|part of|updated|fixed|released|done))",
            2.0,
        ),
        (r"(?:which|what) (?:release|version|milestone) (?:will|would|is) ", 2.0),
        (r"(?:any|a) (?:sense|idea) of when", 2.5),
    ),
    A.BUILDING_AN_ARGUMENT: (
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
    ),
    A.GROWING_CONFIDENCE: (
        (r"run (?:it|this|that|something|an idea|my \w+) (?:past|by) (?:you|someone|the group|everyone)", 3.0),
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
    ),
    A.DISCUSSING_DEVELOPMENTS: (
        (r"what do (?:you|people|y'?all|you all|you guys|others|we) (?:think|reckon|make) (?:of|about)", 3.0),
        # Asking for opinions and proposing a change: what the message does, whatever the topic.
        (
            r"what(?:'s| is| are) (?:your|people's|everyone's) (?:take|opinion|view|views|stance|thoughts) "
            r"(?:on|about)",
            3.0,
        ),
        (r"(?:wdyt|what do you think\s*\?)", 2.5),
        (
            r"it would be (?:really |very )?(?:nice|great|useful|cool|handy|good) (?:if|to) "
            r"(?!(?:someone|anyone|you) )",
            2.0,
        ),
        (r"would it (?:make sense|be (?:worth|reasonable|a good idea)) to", 2.0),
        (r"(?:i'?d|i would|i want to|i'd like to|let me) (?:like to )?(?:suggest|propose)\b", 2.0),
        (r"(?:just |only )?a (?:suggestion|proposal|thought)\b", 1.5),
        (r"(?:feature|enhancement) requests?\b", 2.0),
        (r"(?:need|want|like|wanted) to discuss", 2.0),
        (
            r"(?:any )?(?:thoughts|opinions?|views|takes?|impressions) (?:on|about|"
            r"regarding) (?:the )?(?:new|latest|recent|upcoming|proposed)",
            3.0,
        ),
        (r"(?:any )?(?:thoughts|opinions?|views|takes?|impressions) (?:on|about|regarding) this", 1.5),
        (r"(?:thoughts|opinions?)\s*\?", 1.5),
        (
            r"(?:have you|has anyone|did you|did anyone) (?:seen|heard|read) (?:about |of )?(?:the|"
            r"this|that)? ?(?:new|latest|news|announcement|article|paper|report|change)",
            3.0,
        ),
        (
            r"(?:the )?(?:new|latest|recent|upcoming|proposed|revised|updated) (?:policy|guidance|"
            r"guidelines|framework|curriculum|regulations?|rules|law|version|release|standard|feature|"
            r"features|approach|research|report|study|spec|proposal)",
            2.0,
        ),
        (r"(?:just|recently) (?:been )?(?:released|announced|published|launched|introduced|came out)", 2.0),
        (r"(?:interesting|great|good) (?:article|paper|read|talk|blog|post|study|report|news)", 2.0),
        (r"(?:discuss|discussion|debate)\b", 1.0),
        (r"(?:trend|future of|direction of|the way forward)\b", 1.5),
        (r"(?:pull request|contribut\w+|proposal|propose|design decision)\b", 1.25),
        (r"(?:i'?ve been|been) (?:playing|experimenting|tinkering) (?:around )?with", 2.0),
        (r"(?:i|we) (?:have|had) an idea (?:for|to|about)", 2.5),
        (r"(?:see|hear|know) what (?:the )?(?:other people|others|people|you all|everyone|you guys) think", 3.0),
        (
            r"(?:submit|open|raise|create|send|file) (?:a |an |my |the )?(?:pr|pull request|ticket|"
            r"proposal|issue|suggestion|petition)\b",
            2.0,
        ),
        (r"(?:fork|rant|improvement|improving|enhancement)\b", 1.0),
        (
            r"(?:would like|want|wanted|'d like|hoping|keen|trying) to (?:start )?(?:contribut\w+|help out with|"
            r"get involved|work on (?:it|this|that|the issue|an issue))",
            2.5,
        ),
        (r"(?:a |the )?(?:pr|pull request|patch|contribution)s? (?:would be |be |is )?welcomed?", 2.5),
        (r"(?:does|do) (?:anyone|anybody|people) (?:actually|really|still) (?:use|do|believe|think)", 2.5),
        (r"(?:not|isn't|is not|aren't) (?:ready|mature|suitable) (?:for|yet)", 1.5),
        (
            r"(?:what|how) (?:is|are) (?:the|your) (?:\w+ )?(?:pipelines?|process|workflow|policy|"
            r"approach) (?:for|in|here|on)",
            1.5,
        ),
    ),
    A.DOCUMENTING_PROJECTS: (
        (
            r"(?:let'?s|we should|should we|i'?ll|we'?ll|someone should|can we|"
            r"could we) (?:write (?:it|this|that|these)? ?(?:down|up)|document|record|capture|"
            r"note down|log|add (?:it|this) to the (?:wiki|faq|docs|handbook))",
            3.0,
        ),
        (r"write (?:it|this|that|these) (?:down|up)", 3.0),
        (
            r"(?:write-?up|post-?mortem|lessons learn[te]d|retrospective|retro|case notes|"
            r"handover notes|meeting notes|minutes (?:of|from) (?:the|our|last|this|today))\b",
            2.0,
        ),
        (r"(?:faced|seen|had|answered|asked|done) (?:this|that|it) (?:\w+ )?(?:times|again)", 2.0),
        (r"(?:keeps? coming up|comes? up (?:again|a lot|often|every))", 2.5),
        (r"(?:for future reference|for next time|so we don'?t forget|for the record)", 2.5),
        (r"(?:knowledge base|wiki page|faq|changelog|release notes|project log|logbook|diary|journal)\b", 1.5),
        (r"(?:progress|status) (?:update|report)", 2.0),
        (r"(?:update|progress):", 1.5),
    ),
    A.VISITS: (
        (r"(?:come|drop|pop|stop) (?:and|to|by|in|over) (?:and )?(?:see|visit|look|observe|check out)", 3.0),
        (r"(?:site|school|ward|farm|garden|study|field|exchange|learning) (?:visits?|trips?|tours?)", 3.0),
        (r"(?:visit|visiting|tour|touring)\b", 1.5),
        (r"(?:can|could|may) (?:i|we) (?:visit|come|shadow|observe|sit in|drop by|see (?:it|your \w+) in action)", 3.0),
        (r"(?:shadow|shadowing|observe|observing|sit in on|open day|open house)\b", 1.5),
        (r"(?:host|hosting|welcome) (?:a|you|us|visitors|a group)", 1.5),
        (r"see (?:it|your \w+|how you \w+) in (?:action|practice|person)", 2.5),
    ),
    A.IDENTIFYING_GAPS: (
        (r"who knows (?:what|about|how)", 3.0),
        (r"what (?:are we|am i|is our \w+) missing", 3.0),
        (r"(?:gaps?|blind spots?)\b", 1.5),
        (r"(?:skills?|knowledge|expertise|competenc(?:y|ies)) (?:map|matrix|audit|inventory|gap|gaps|directory)", 3.0),
        (
            r"who (?:is|are|'s) (?:the|our) (?:go-to |best |local )?(?:experts?|go-to|persons?|people|"
            r"contacts?|leads?|champions?) (?:on|for)",
            3.0,
        ),
        (r"(?:nobody|no one|no-one) (?:here )?(?:knows|covers|does|has)", 2.0),
        (r"(?:we|the group|our team) (?:lack|are lacking|are missing|don'?t have anyone)", 2.5),
        (r"(?:who has|who's got|anyone with) (?:expertise|skills|knowledge) (?:in|on|about)", 2.0),
        (r"what (?:don'?t we know|should we learn|topics are missing|is missing)", 2.5),
    ),
    A.OTHER: (
        (
            r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings)(?: (?:all|"
            r"everyone|everybody|guys|folks|team|there|people))?[\s!,.:)]*\Z",
            1.0,
        ),
        (r"(?:welcome|congrat\w*|happy (?:birthday|friday|holidays|new year|easter|weekend)|merry christmas)\b", 1.5),
        (r"(?:have a (?:good|great|nice|lovely) (?:day|weekend|week|evening|holiday))", 1.5),
        (r"(?:lol|haha\w*|lmao|rofl|:d|xd)\b", 0.75),
        (r"(?:how(?:'s| is| are) (?:everyone|everybody|you all|it going|things)|how are you)", 1.5),
        (r"(?:coffee|lunch|drinks|party|celebrat\w+|social|cake|weather)\b", 0.5),
        (r"(?:nice to meet|glad to be here|just joined|introduce myself|new here)", 1.5),
    ),
}

EN_THANKS: tuple[str, str] = (
    # positive: gratitude or a report that the answer worked
    r"\b(?:thanks?|thank ?(?:you|u)|thx|tnx|ty|tysm|cheers|much appreciated|appreciate (?:it|that|"
    r"your help)|"
    r"(?:that|this|it) (?:worked|works|did it|did the trick|fixed it|helped|solved it)|"
    r"(?:solved|fixed|sorted|resolved) (?:it|now|!)|problem solved|works now|working now|all sorted|"
    r"you(?:'re| are) (?:a )?(?:star|legend|lifesaver|life saver)|saved my (?:day|life|bacon))\b",
    # negative: thanks that come before any answer
    r"\b(?:thanks?|thank ?(?:you|u)|thx|ty|cheers)(?: a lot| so much| very much)?,? (?:in advance|"
    r"ahead of time|for (?:any|your) (?:help|input|ideas|advice|replies|"
    r"suggestions)(?: in advance)?|for reading)\b|"
    r"\bno thanks\b|\bthanks? but (?:it|that|this) (?:did ?n[o']?t|does ?n[o']?t|still)|"
    r"\b(?:still|not) (?:working|solved|fixed)\b|\bdid ?n[o']?t (?:work|help)\b",
)
