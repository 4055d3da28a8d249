//! Every word on screen, in English and 简体中文. One `match` per key: adding a key without both
//! languages does not compile.

use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
}

impl FromStr for Lang {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(()),
        }
    }
}

/// Text keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum T {
    Tagline,
    LangSwitch,
    NavLimiter,
    NotFound,
    Play,
    Pause,
    Step,
    Reset,
    Speed,
    Seed,
    VirtualTime,
    UrlNotice,
    Dismiss,
    ProblemUnknownKey,
    ProblemBadValue,
    ProblemInvalid,
    ProblemBadSeed,
    ProblemUnknownPreset,
    InvalidInput,
    PanicTitle,
    PanicBody,
    PanicReset,
    LimiterTitle,
    LimiterIntro,
    Presets,
    WhatToWatch,
    Controls,
    Traffic,
    Pattern,
    PatConstant,
    PatPoisson,
    PatOnOff,
    PatBoundaryBurst,
    PatRamp,
    PatFlashCrowd,
    RatePerS,
    PeakRatePerS,
    OnMs,
    OffMs,
    BurstSize,
    BurstPeriodMs,
    BurstWidthMs,
    RampMs,
    StartMs,
    HoldMs,
    Limit,
    WindowMs,
    TokenRatePerS,
    TokenBurst,
    ChangeAtMs,
    ChangedRatePerS,
    DrainPerS,
    QueueCapacity,
    CompareWindowMs,
    ChartBucketMs,
    LiveHint,
    AlgoFixedWindow,
    AlgoSlidingLog,
    AlgoSlidingCounter,
    AlgoTokenBucket,
    AlgoLeakyBucket,
    Clients,
    Accepted,
    Rejected,
    Queued,
    Arrived,
    MaxInWindow,
    NominalLimit,
    OverLimit,
    DelayP50,
    DelayP99,
    Tokens,
    Count,
    Estimate,
    LogSize,
    QueueLen,
    FlowView,
    ChartThroughput,
    ChartWindow,
    ChartWindowNote,
    PerInterval,
    LimitLine,
    Results,
    Algorithm,
    Explanations,
    ExplainFixedWindow,
    ExplainSlidingLog,
    ExplainSlidingCounter,
    ExplainTokenBucket,
    ExplainLeakyBucket,
    NotesSay,
    PresetBoundaryBurst,
    PresetBoundaryBurstWatch,
    PresetTokenBurst,
    PresetTokenBurstWatch,
    PresetLeakySmooth,
    PresetLeakySmoothWatch,
    PresetRaiseTokenRate,
    PresetRaiseTokenRateWatch,
    Legend,
    NavChat,
    ChatTitle,
    ChatIntro,
    SchemeOfflineCopies,
    SchemeCopyPerMember,
    SchemeUnreadIds,
    SchemeCursor,
    ExplainOfflineCopies,
    ExplainCopyPerMember,
    ExplainUnreadIds,
    ExplainCursor,
    PresetPushFailures,
    PresetPushFailuresWatch,
    PresetBigGroup,
    PresetBigGroupWatch,
    PresetLongOffline,
    PresetLongOfflineWatch,
    PresetReconnectStorm,
    PresetReconnectStormWatch,
    PresetLostAcks,
    PresetLostAcksWatch,
    GroupsLabel,
    MembersPerGroup,
    MsgRatePerS,
    GroupZipf,
    SenderZipf,
    OnlineMeanMs,
    OfflineMeanMs,
    PushFailProb,
    AckLossProb,
    CrashProb,
    AckBatchMs,
    ClientDedup,
    StoreRowsPerS,
    QueryCostRows,
    ContentBytes,
    OutageAtMs,
    OutageMs,
    OutageShare,
    SectionMembers,
    SectionFaults,
    SectionStore,
    Scheme,
    WritesPerMsg,
    WriteBytes,
    RowsStored,
    PeakRows,
    BytesStored,
    RowsPerReconnect,
    PullP50,
    PullP99,
    Lost,
    DupDelivered,
    ShownTwice,
    UnreadWrong,
    MessagesSent,
    ChartRowsStored,
    ChartWriteBandwidth,
    TableGroupMembers,
    TableGroupMsgs,
    ChatLegend,
    FlowsSampled,
    ChatNotesSay,
    ExplainSchemes,
    Footer,
}

/// Both languages of one key: (English, 简体中文).
pub fn both(key: T) -> (&'static str, &'static str) {
    use T::*;
    match key {
        Tagline => ("Watch backend design ideas happen", "看见后端设计的运行过程"),
        LangSwitch => ("中文", "English"),
        NavLimiter => ("Rate limiters", "限流算法"),
        NotFound => ("No such page. Pick a lab above.", "没有这个页面，请在上方选择一个实验。"),
        Play => ("Play", "运行"),
        Pause => ("Pause", "暂停"),
        Step => ("Step", "单步"),
        Reset => ("Reset", "重置"),
        Speed => ("Speed", "速度"),
        Seed => ("Seed", "随机种子"),
        VirtualTime => ("Virtual time", "虚拟时间"),
        UrlNotice => ("Some settings in the link were ignored; defaults were used for them:", "链接中的部分参数无效，已改用默认值："),
        Dismiss => ("Dismiss", "关闭"),
        ProblemUnknownKey => ("unknown parameter", "未知参数"),
        ProblemBadValue => ("bad value", "取值无效"),
        ProblemInvalid => ("out of range", "超出范围"),
        ProblemBadSeed => ("the seed must be a whole number from 0 to 18446744073709551615", "随机种子必须是 0 到 18446744073709551615 之间的整数"),
        ProblemUnknownPreset => ("unknown preset", "未知的预设场景"),
        InvalidInput => ("Not applied", "未应用"),
        PanicTitle => ("Something went wrong", "出错了"),
        PanicBody => ("The simulation stopped because of an internal error. Reset to start again with default settings.", "模拟因内部错误而停止。点击重置，以默认参数重新开始。"),
        PanicReset => ("Reset", "重置"),
        LimiterTitle => ("Rate limiters, side by side", "限流算法并排对比"),
        LimiterIntro => (
            "The same stream of requests reaches five limiters at once. Each lane shows what one algorithm lets through (moving on), refuses (red, falling away) or makes wait (stacked in its bucket).",
            "同一股请求流同时送到五个限流器。每条通道显示一种算法放行的请求（继续向右）、拒绝的请求（红色，掉落）和排队等待的请求（堆在桶里）。",
        ),
        Presets => ("Presets", "预设场景"),
        WhatToWatch => ("What to watch", "看点"),
        Controls => ("Parameters", "参数"),
        Traffic => ("Traffic", "流量"),
        Pattern => ("Arrival pattern", "到达模式"),
        PatConstant => ("Constant rate", "匀速"),
        PatPoisson => ("Poisson (random)", "泊松（随机）"),
        PatOnOff => ("On/off bursts", "开关式突发"),
        PatBoundaryBurst => ("Burst across window edges", "跨窗口边界的突发"),
        PatRamp => ("Ramp", "线性爬升"),
        PatFlashCrowd => ("Flash crowd", "瞬时洪峰"),
        RatePerS => ("Rate (req/s)", "速率（请求/秒）"),
        PeakRatePerS => ("Peak rate (req/s)", "峰值速率（请求/秒）"),
        OnMs => ("On phase (ms)", "开启时长（毫秒）"),
        OffMs => ("Off phase (ms)", "关闭时长（毫秒）"),
        BurstSize => ("Requests per burst", "每次突发请求数"),
        BurstPeriodMs => ("Burst every (ms)", "突发间隔（毫秒）"),
        BurstWidthMs => ("Burst width (ms)", "突发持续（毫秒）"),
        RampMs => ("Ramp (ms)", "爬升时长（毫秒）"),
        StartMs => ("Starts at (ms)", "开始时间（毫秒）"),
        HoldMs => ("Peak lasts (ms)", "峰值持续（毫秒）"),
        Limit => ("Limit per window", "窗口内上限"),
        WindowMs => ("Window (ms)", "窗口长度（毫秒）"),
        TokenRatePerS => ("Refill (tokens/s)", "令牌生成速率（个/秒）"),
        TokenBurst => ("Bucket size (burst)", "桶容量（突发）"),
        ChangeAtMs => ("Change rate at (ms, 0 = never)", "改变速率的时刻（毫秒，0 表示不改）"),
        ChangedRatePerS => ("New refill (tokens/s)", "新的令牌速率（个/秒）"),
        DrainPerS => ("Drain (req/s)", "漏出速率（请求/秒）"),
        QueueCapacity => ("Queue size", "队列容量"),
        CompareWindowMs => ("Compare window W (ms)", "对比窗口 W（毫秒）"),
        ChartBucketMs => ("Chart interval (ms)", "图表间隔（毫秒）"),
        LiveHint => ("changes live, without a reset", "运行中实时生效，无需重置"),
        AlgoFixedWindow => ("Fixed window", "固定窗口计数"),
        AlgoSlidingLog => ("Sliding log", "滑动窗口日志"),
        AlgoSlidingCounter => ("Sliding counter", "滑动窗口计数"),
        AlgoTokenBucket => ("Token bucket", "令牌桶"),
        AlgoLeakyBucket => ("Leaky bucket", "漏桶"),
        Clients => ("clients", "客户端"),
        Accepted => ("accepted", "放行"),
        Rejected => ("rejected", "拒绝"),
        Queued => ("queued", "排队"),
        Arrived => ("arrived", "到达"),
        MaxInWindow => ("most in any W", "任意 W 内最多"),
        NominalLimit => ("limit over W", "W 内限额"),
        OverLimit => ("accepts over the limit", "超限放行次数"),
        DelayP50 => ("delay p50", "延迟 p50"),
        DelayP99 => ("delay p99", "延迟 p99"),
        Tokens => ("tokens", "令牌"),
        Count => ("count", "计数"),
        Estimate => ("estimate", "估算"),
        LogSize => ("in log", "日志中"),
        QueueLen => ("waiting", "等待"),
        FlowView => (
            "Too many requests to draw one by one: showing flow (band width = requests per second).",
            "请求太多，无法逐个绘制：改为显示流量（带宽 = 每秒请求数）。",
        ),
        ChartThroughput => ("Accepted and rejected per interval", "每个间隔内的放行与拒绝数"),
        ChartWindow => ("Most requests accepted in a window of length W", "长度为 W 的窗口内放行的最多请求数"),
        ChartWindowNote => (
            "Dashed: each algorithm's limit over W. The fixed window can reach twice its limit in a window that straddles its edge.",
            "虚线：各算法在 W 内的限额。固定窗口在跨越窗口边界的时间段内可放行多达两倍的限额。",
        ),
        PerInterval => ("per interval", "每间隔"),
        LimitLine => ("limit", "限额"),
        Results => ("Results", "结果"),
        Algorithm => ("Algorithm", "算法"),
        Explanations => ("How each algorithm works, and what it costs", "各算法的原理与代价"),
        ExplainFixedWindow => (
            "Counts requests in aligned windows (each second, say) and refuses once the count reaches the limit; the count resets at every edge. One counter, cheap. The cost: a burst at the end of one window and another at the start of the next both fit, so up to twice the limit can pass in a span of one window length.",
            "按对齐的时间窗口（例如每秒）计数，达到上限后拒绝，窗口边界处计数清零。只需一个计数器，开销小。代价：一个窗口末尾的突发和下一个窗口开头的突发都能通过，因此在一个窗口长度的时间段内最多可放行两倍限额。",
        ),
        ExplainSlidingLog => (
            "Keeps the time of every accepted request in the last window and accepts only if fewer than the limit remain. Exact: no window of length W ever holds more than the limit. The cost: memory and work grow with the limit (one entry per accepted request), which hurts at high limits or many keys.",
            "记录最近一个窗口内每个放行请求的时间，窗口内记录数少于上限才放行。结果精确：任何长度为 W 的时间段内都不会超过上限。代价：内存和计算量随上限增长（每个放行请求一条记录），上限很高或键很多时代价明显。",
        ),
        ExplainSlidingCounter => (
            "Keeps two counters, the current and the previous window, and estimates the sliding count as previous × (share of it still inside the sliding window) + current. Cheap and smooth. It is an approximation: it assumes the previous window's requests were spread evenly, so a burst at the end of a window can let somewhat more than the limit through in a true sliding window (watch its line in the boundary-burst preset).",
            "只保存当前窗口和上一个窗口的两个计数，用“上一窗口计数 × 仍落在滑动窗口内的比例 + 当前计数”估算滑动窗口内的请求数。开销小且平滑。但它是近似值：假设上一个窗口的请求均匀分布，所以窗口末尾的突发会让真实滑动窗口内的放行数略超上限（在“跨边界突发”预设中观察它的曲线）。",
        ),
        ExplainTokenBucket => (
            "Tokens drip into a bucket at a fixed rate up to its size; each request takes one or is refused. Idle time saves tokens, so a burst up to the bucket size passes at once, then the rate holds. Over any span t it lets through at most size + rate × t: it is a rate limit with a burst allowance, not a per-window count. The refill rate can be changed while running (the notes: 能动态调整令牌发放的速度).",
            "令牌以固定速率放入桶中，直到桶满；每个请求取走一个令牌，没有令牌就拒绝。空闲时令牌会积累，因此最多一个桶容量的突发可以立即通过，之后按速率放行。任意时长 t 内最多放行 桶容量 + 速率 × t：它是带突发额度的速率限制，而不是按窗口计数。令牌速率可以在运行中动态调整（笔记原文：能动态调整令牌发放的速度）。",
        ),
        ExplainLeakyBucket => (
            "Requests join a queue of fixed size that drains at a fixed rate; when the queue is full, new requests are dropped. The output is perfectly smooth, whatever comes in, which protects a fragile downstream. The cost: requests wait (up to queue size ÷ drain rate), bursts are never served faster, and a full queue drops. The notes say only \"bucket size fixed, drain rate fixed\": the delay it adds is the part they leave out.",
            "请求进入固定容量的队列，以固定速率流出；队列满时新请求被丢弃。无论输入如何，输出都非常平滑，可以保护脆弱的下游。代价：请求需要排队等待（最长 队列容量 ÷ 漏出速率），突发永远不会被更快地处理，队列满了就丢弃。笔记只写了“桶的大小固定，消费的速度固定”，它带来的延迟正是笔记没有说的部分。",
        ),
        NotesSay => ("From the notes, corrected where they simplify", "来自笔记，并修正了其中简化的地方"),
        PresetBoundaryBurst => ("Boundary burst defeats the fixed window", "边界突发击穿固定窗口"),
        PresetBoundaryBurstWatch => (
            "Bursts straddle each second's edge: the fixed window lets about 20 through in 0.2 s against a limit of 10 per second, while the sliding log never passes 10 in any second.",
            "突发请求跨越每秒的边界：固定窗口在 0.2 秒内放行约 20 个请求（限额每秒 10 个），而滑动窗口日志在任意一秒内都不超过 10 个。",
        ),
        PresetTokenBurst => ("Token bucket absorbs a burst, then holds the rate", "令牌桶吸收突发后保持速率"),
        PresetTokenBurstWatch => (
            "When a burst arrives the token bucket spends its 20 stored tokens at once, then lets through 10 per second; the window limiters never allow the burst.",
            "突发到来时，令牌桶立刻用掉积攒的 20 个令牌，之后每秒放行 10 个；窗口类限流器始终不允许这种突发。",
        ),
        PresetLeakySmooth => ("Leaky bucket smooths, adds delay, drops when full", "漏桶削峰但增加延迟，满了就丢弃"),
        PresetLeakySmoothWatch => (
            "The leaky bucket's output is a steady 10 per second whatever comes in; requests wait up to 1.5 s in its queue, and once it is full the rest are dropped (red).",
            "无论输入如何，漏桶的输出都稳定在每秒 10 个；请求在队列中最多等待 1.5 秒，队列满后其余请求被丢弃（红色）。",
        ),
        PresetRaiseTokenRate => ("Raising the token rate live", "运行中调高令牌速率"),
        PresetRaiseTokenRateWatch => (
            "Traffic is 30 per second, the token bucket allows 10; at 10 s its refill rate is raised to 30 while running and its accepted line jumps at once. Try the refill control yourself: it changes live.",
            "流量为每秒 30 个，令牌桶只允许 10 个；第 10 秒时在运行中把令牌速率调到 30，放行曲线立刻跟着上升。也可以自己拖动令牌速率：它会实时生效。",
        ),
        Legend => ("green: let through · red: refused · amber: waiting", "绿色：放行 · 红色：拒绝 · 琥珀色：等待"),
        NavChat => ("Group-chat store", "群聊离线存储"),
        ChatTitle => ("Group-chat offline store: four schemes side by side", "群聊离线消息存储：四种方案并排对比"),
        ChatIntro => ("The same messages, the same members going on- and offline, the same faults, fed to four ways of storing group messages for members who miss them. Each ring is the busiest group: dots are members (bright: online, grey: offline); particles are pushes (blue), pulls on reconnect (amber), copies or ids written to the store (white), duplicates (yellow) and losses (red).", "同样的消息、同样的成员上下线、同样的故障，同时送给四种群聊离线消息存储方案。每个圆环是最活跃的群：圆点是成员（亮：在线，灰：离线）；粒子表示推送（蓝）、重连拉取（琥珀）、写入存储的副本或 ID（白）、重复投递（黄）和丢失（红）。"),
        SchemeOfflineCopies => ("1 · Copies for offline members", "方案1 · 只为离线成员存副本"),
        SchemeCopyPerMember => ("2 · A copy for every member", "方案2 · 每个成员存一份"),
        SchemeUnreadIds => ("3 · One copy + unread id sets", "方案3 · 一份消息 + 未读 ID 集合"),
        SchemeCursor => ("4 · One copy + last_ack_msgid", "方案4 · 一份消息 + last_ack_msgid"),
        ExplainOfflineCopies => ("Only members offline at send time get a stored copy; online members get a push. Cheap, but a push that fails, or a client that crashes before storing, loses the message for good: nothing records that it was owed. Its unread count is wrong for the same reason.", "只为发送时离线的成员存副本，在线成员直接推送。开销小，但推送失败或客户端在保存前崩溃时，消息就永久丢失：没有任何记录表明还欠这条消息。出于同样的原因，它的未读数也会出错。"),
        ExplainCopyPerMember => ("A copy for every member is written first and deleted when that member acks: nothing is lost, since an unacked copy is delivered again on reconnect (the client drops it by msgid). The cost is M copies of every message written and then deleted: rows and disk bandwidth grow with group size.", "先为每个成员写一份副本，成员 ack 后再删除：不会丢消息，因为未 ack 的副本会在重连时再次投递（客户端按 msgid 去重）。代价是每条消息要写 M 份再删 M 份：行数和磁盘带宽随群规模增长。"),
        ExplainUnreadIds => ("One copy of the message plus, per member, the set of unread ids: no loss, and an id is far smaller than a copy. But it ignores that ids within a group are ordered, so a member away for a long time owes one row per message, and a reconnect reads the id set and then each message.", "消息只存一份，每个成员保存未读消息 ID 集合：不会丢消息，ID 也比副本小得多。但它没有利用群内 msgid 有序，长时间离线的成员每条消息都要占一行，重连时要先读 ID 集合再逐条读消息。"),
        ExplainCursor => ("One copy of the message plus, per member, last_ack_msgid. Ids are ordered, so a reconnecting member pulls everything after its cursor in one range scan, and a client that sees a hole in the ids pulls it at once. What the notes leave out: every ack is a write to the cursor row (batching acks cuts that, at the price of re-delivering what was received but not yet acked), and the cursor must only move to the highest id the client holds with no hole below it.", "消息只存一份，每个成员保存 last_ack_msgid。msgid 有序，重连的成员只需一次范围扫描拉取游标之后的全部消息；客户端发现 ID 有空洞时立即补拉。笔记没有说的是：每次 ack 都是一次游标行的写入（批量 ack 可减少写入，代价是已收到但未 ack 的消息会被再次投递）；并且游标只能推进到客户端已连续持有的最大 ID。"),
        PresetPushFailures => ("Push failures: scheme 1 loses messages", "推送失败：方案1丢消息"),
        PresetPushFailuresWatch => ("5% of pushes to online members fail. Scheme 1's lost count climbs (red marks on its ring); schemes 2 to 4 lose nothing: 2 and 3 redeliver on the next reconnect, 4 pulls the gap as soon as the client sees it.", "5% 的在线推送失败。方案1的丢失数不断上升（圆环上的红色标记）；方案2到4不丢消息：2和3在下次重连时补发，4在客户端发现空洞时立即补拉。"),
        PresetBigGroup => ("A 2,000-member group", "2000 人大群"),
        PresetBigGroupWatch => ("Scheme 2 writes a full copy per member per message and deletes it again: compare its writes per message and write bandwidth with scheme 4's single row plus small cursor updates.", "方案2每条消息为每个成员写一份完整副本，之后再删除：对比它与方案4（一行消息加少量游标更新）的每条消息写入行数和写带宽。"),
        PresetLongOffline => ("Long-offline members", "长时间离线的成员"),
        PresetLongOfflineWatch => ("Members stay away for minutes: scheme 3's unread-id sets grow with every message, while scheme 4 keeps one integer per member however long they are away.", "成员离线数分钟：方案3的未读 ID 集合随每条消息增长，而方案4无论离线多久，每个成员只存一个整数。"),
        PresetReconnectStorm => ("Reconnect storm", "重连风暴"),
        PresetReconnectStormWatch => ("At 10 s an outage cuts 80% of 10,000 members off while the rest keep chatting; at 30 s they all come back at once. Watch rows read per reconnect and pull latency: scheme 3 reads the id set and then every message, so its pulls cost about twice as much.", "第10秒故障使 10000 名成员中的 80% 断线，其余成员继续聊天；第30秒断线的成员同时重连。观察每次重连读取的行数和拉取延迟：方案3要先读 ID 集合再逐条读消息，拉取代价约为两倍。"),
        PresetLostAcks => ("Lost acks: nothing shown twice", "ack 丢失：不会重复显示"),
        PresetLostAcksWatch => ("20% of acks are lost, so the server delivers those messages again (yellow); the client drops them by msgid, so nothing is shown twice. Untick client dedup to see what it saves.", "20% 的 ack 丢失，服务端会再次投递这些消息（黄色）；客户端按 msgid 去重，所以不会重复显示。取消勾选“客户端去重”看看它省掉了什么。"),
        GroupsLabel => ("Groups", "群数量"),
        MembersPerGroup => ("Members per group", "每群成员数"),
        MsgRatePerS => ("Messages per second (all groups)", "每秒消息数（所有群）"),
        GroupZipf => ("Group activity skew (Zipf)", "群活跃度倾斜（Zipf）"),
        SenderZipf => ("Sender activity skew (Zipf)", "发言者倾斜（Zipf）"),
        OnlineMeanMs => ("Mean time online (ms)", "平均在线时长（毫秒）"),
        OfflineMeanMs => ("Mean time offline (ms)", "平均离线时长（毫秒）"),
        PushFailProb => ("Push failure probability", "推送失败概率"),
        AckLossProb => ("Ack loss probability", "ack 丢失概率"),
        CrashProb => ("Crash before storing probability", "保存前崩溃概率"),
        AckBatchMs => ("Ack at most every (ms, 0 = each message)", "ack 间隔（毫秒，0 表示逐条）"),
        ClientDedup => ("Client dedups by msgid", "客户端按 msgid 去重"),
        StoreRowsPerS => ("Store reads (rows/s)", "存储读取能力（行/秒）"),
        QueryCostRows => ("Cost of one query (rows)", "单次查询开销（行）"),
        ContentBytes => ("Message size (bytes)", "消息大小（字节）"),
        OutageAtMs => ("Outage at (ms, 0 = none)", "故障时刻（毫秒，0 表示无）"),
        OutageShare => ("Share of members cut off", "断线成员比例"),
        OutageMs => ("Outage length (ms)", "故障时长（毫秒）"),
        SectionMembers => ("Groups and members", "群与成员"),
        SectionFaults => ("Faults", "故障"),
        SectionStore => ("Store", "存储"),
        Scheme => ("Scheme", "方案"),
        WritesPerMsg => ("rows written / msg", "每条消息写入行数"),
        WriteBytes => ("bytes written", "写入字节"),
        RowsStored => ("rows stored", "存储行数"),
        PeakRows => ("peak rows", "峰值行数"),
        BytesStored => ("bytes stored", "存储字节"),
        RowsPerReconnect => ("rows read / reconnect", "每次重连读取行数"),
        PullP50 => ("pull p50", "拉取 p50"),
        PullP99 => ("pull p99", "拉取 p99"),
        Lost => ("lost", "丢失"),
        DupDelivered => ("duplicates delivered", "重复投递"),
        ShownTwice => ("shown twice", "重复显示"),
        UnreadWrong => ("wrong unread counts", "未读数错误"),
        MessagesSent => ("messages sent", "已发送消息"),
        ChartRowsStored => ("Rows stored", "存储行数"),
        ChartWriteBandwidth => ("Disk write bandwidth (bytes per second, log scale)", "磁盘写带宽（字节/秒，对数坐标）"),
        TableGroupMembers => ("Scheme 4 · group_members (first rows of the busiest group)", "方案4 · group_members（最活跃群的前几行）"),
        TableGroupMsgs => ("Scheme 4 · group_msgs (newest rows of the busiest group)", "方案4 · group_msgs（最活跃群的最新几行）"),
        ChatLegend => ("blue: push · amber: pull · white: stored for a member · yellow: duplicate · red: lost · member halo: rows owed (1-3) or cursor lag (4)", "蓝：推送 · 琥珀：拉取 · 白：为成员存储 · 黄：重复 · 红：丢失 · 成员光圈：欠的行数（1-3）或游标落后（4）"),
        FlowsSampled => ("Too many to draw one by one: showing the most recent.", "数量太多无法逐个绘制：只显示最近的部分。"),
        ChatNotesSay => ("From the notes (群聊消息存储方案), with what they leave out", "来自笔记（群聊消息存储方案），并补充笔记没有说的部分"),
        ExplainSchemes => ("How each scheme works, and what it costs", "各方案的原理与代价"),
        Footer => (
            "Everything runs in your browser, deterministically: the same parameters and seed give the same run.",
            "一切都在浏览器中确定性地运行：相同的参数和随机种子得到相同的结果。",
        ),
    }
}

/// The text of `key` in `lang`.
pub fn tr(lang: Lang, key: T) -> &'static str {
    let (en, zh) = both(key);
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A problem with a URL or an input, in words, naming the field and what is allowed.
pub fn describe_problem(lang: Lang, p: &crate::url_state::Problem) -> String {
    use crate::url_state::Problem::*;
    match (p, lang) {
        (UnknownKey(k), _) => format!("{}: {k}", tr(lang, T::ProblemUnknownKey)),
        (
            BadValue {
                key,
                value,
                expected,
            },
            Lang::En,
        ) => format!(
            "{key} = \"{value}\": {} (expected {expected})",
            tr(lang, T::ProblemBadValue)
        ),
        (
            BadValue {
                key,
                value,
                expected,
            },
            Lang::Zh,
        ) => format!(
            "{key} = \"{value}\"：{}（应为 {expected}）",
            tr(lang, T::ProblemBadValue)
        ),
        (Invalid(e), Lang::En) => format!(
            "{} = {}: {}, allowed {}",
            e.field,
            e.got,
            tr(lang, T::ProblemInvalid),
            e.allowed
        ),
        (Invalid(e), Lang::Zh) => format!(
            "{} = {}：{}，允许范围 {}",
            e.field,
            e.got,
            tr(lang, T::ProblemInvalid),
            e.allowed
        ),
        (BadSeed(s), _) => format!("seed = \"{s}\": {}", tr(lang, T::ProblemBadSeed)),
        (UnknownPreset(s), _) => format!("preset = \"{s}\": {}", tr(lang, T::ProblemUnknownPreset)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_codes_round_trip() {
        for l in [Lang::En, Lang::Zh] {
            assert_eq!(l.code().parse::<Lang>(), Ok(l));
        }
        assert!("fr".parse::<Lang>().is_err());
    }

    #[test]
    fn chinese_text_is_chinese() {
        // Every Chinese entry that is not a proper name holds CJK characters.
        for key in [
            T::Play,
            T::LimiterIntro,
            T::ExplainLeakyBucket,
            T::PresetBoundaryBurstWatch,
            T::FlowView,
        ] {
            let (en, zh) = both(key);
            assert!(!en.is_empty());
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key:?}"
            );
        }
    }
}
