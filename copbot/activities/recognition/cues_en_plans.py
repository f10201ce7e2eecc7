"""English cues for developments and plans: discussing what is new, documenting progress, coordinating."""

from __future__ import annotations

from copbot.activities.recognition.cues_en_help import Cue

# Cues are regex fragments over lower-cased text with curly apostrophes made straight. Each is
# matched at a word boundary. Weights: 3 = nearly decisive, 2 = strong, 1 = hint, 0.5 = weak hint.
# Keep them domain-neutral: the same cues must work for teachers, nurses, gardeners and developers.

COORDINATION: tuple[Cue, ...] = (
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
    (r"let'?s (?:agree|decide|sort out|work out|figure out) who", 3.0),
    (r"(?:can|could|would) (?:someone|anyone|somebody|anybody) (?:swap|cover|take over|trade)", 2.5),
    (r"swap (?:\w+ ){0,3}with me", 2.5),
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
)

DISCUSSING_DEVELOPMENTS: tuple[Cue, ...] = (
    (r"what do (?:you|people|y'?all|you all|you guys|others|we) (?:think|reckon|make) (?:of|about)", 3.0),
    (
        r"did (?:you|anyone|everyone|you all) (?:see|hear|read) (?:the|about|that) (?:\w+ )?(?:new|latest|news|"
        r"announcement|article|report|paper|changes?|rules?|release)",
        2.5,
    ),
    (r"means? for (?:us|our|the group|everyone)", 2.0),
    (r"what (?:does|will|would|could) (?:that|this|it|the \w+) mean for (?:us|our|the group|everyone)", 3.0),
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
        r"(?:would like|want|wanted|(?:i|we)'d like|hoping|keen|trying) to (?:start )?(?:contribut\w+|help out with|"
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
)

DOCUMENTING_PROJECTS: tuple[Cue, ...] = (
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
    (r"update on (?:the|our|my) [^.?!\n]{0,40}:", 2.5),
    (
        r"(?:i'?ve|we'?ve|i have|we have) (?:written|typed|put) (?:up|together) (?:a |an |some |the |our )?(?:notes|"
        r"write-?up|how|guide|summary|instructions|steps)",
        3.0,
    ),
    (r"so (?:others|other people|anyone|everyone|the next person) can (?:follow|reuse|repeat|copy|learn|do)", 2.0),
)
