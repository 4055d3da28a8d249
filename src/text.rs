//! The shared text table: the shell, the generic lab page, messages, and the knobs every lab may
//! use (the traffic generator). Each lab has its own table in `labs/<lab>/text.rs`.

crate::texts! {
    TAGLINE = "ui.tagline": "Watch backend design ideas happen", "看见后端设计的运行过程";
    LANG_SWITCH = "ui.lang_switch": "中文", "English";
    NOT_FOUND = "ui.not_found": "No such page. Pick a lab above.", "没有这个页面，请在上方选择一个实验。";
    FOOTER = "ui.footer": "Everything runs in your browser, deterministically: the same parameters and seed give the same run.", "一切都在浏览器中确定性地运行：相同的参数和随机种子得到相同的结果。";
    NAV = "ui.nav": "Labs", "实验";
    SKIP = "ui.skip": "Skip to the lab", "跳到实验内容";
    PANIC_TITLE = "ui.panic_title": "Something went wrong", "出错了";
    PANIC_BODY = "ui.panic_body": "The simulation stopped because of an internal error. Reset to start again with default settings.", "模拟因内部错误而停止。点击重置，以默认参数重新开始。";
    PANIC_RESET = "ui.panic_reset": "Reset", "重置";

    PLAY = "ui.play": "Play", "运行";
    PAUSE = "ui.pause": "Pause", "暂停";
    STEP = "ui.step": "Step", "单步";
    RESET = "ui.reset": "Reset", "重置";
    SPEED = "ui.speed": "Speed", "速度";
    SEED = "ui.seed": "Seed", "随机种子";
    VIRTUAL_TIME = "ui.virtual_time": "Virtual time", "虚拟时间";
    RUN = "ui.run": "Run", "开始";
    CANCEL = "ui.cancel": "Cancel", "取消";
    PROGRESS_IDLE = "ui.progress_idle": "Press Run to start.", "点击“开始”运行。";
    PROGRESS_RUNNING = "ui.progress_running": "Running: {0} of {1} {2}", "运行中：{1} {2} 中的 {0}";
    PROGRESS_FINISHED = "ui.progress_finished": "Finished: {0} {1} in {2} s", "完成：{0} {1}，用时 {2} 秒";
    PROGRESS_CANCELLED = "ui.progress_cancelled": "Cancelled after {0} of {1} {2}", "已取消：完成 {1} {2} 中的 {0}";
    FPS = "ui.fps": "frames per second", "帧/秒";
    ACHIEVED = "ui.achieved": "actual speed {0}×", "实际速度 {0}×";
    ACHIEVED_HELP = "ui.achieved_help": "The simulation cannot keep up with the chosen speed on this device: this is the speed it reached over the last second.", "在这台设备上，模拟跟不上所选速度：这是它在最近一秒内实际达到的速度。";
    UNIT_USERS = "ui.unit.users": "users", "用户";
    UNIT_REQUESTS = "ui.unit.requests": "requests", "请求";

    URL_NOTICE = "ui.url_notice": "Some settings in the link were ignored; defaults were used for them:", "链接中的部分参数无效，已改用默认值：";
    DISMISS = "ui.dismiss": "Dismiss", "关闭";
    NOT_APPLIED = "ui.not_applied": "Not applied: {0}", "未应用：{0}";
    PROBLEM_UNKNOWN_KEY = "ui.problem.unknown_key": "unknown parameter: {0}", "未知参数：{0}";
    PROBLEM_BAD_VALUE = "ui.problem.bad_value": "{0} = \"{1}\" is not a valid value (expected {2})", "{0} = \"{1}\" 取值无效（应为 {2}）";
    PROBLEM_INVALID = "ui.problem.invalid": "{0} = {1} is out of range: allowed {2}", "{0} = {1} 超出范围：允许 {2}";
    PROBLEM_BAD_SEED = "ui.problem.bad_seed": "seed = \"{0}\": the seed must be a whole number from 0 to 18446744073709551615", "seed = \"{0}\"：随机种子必须是 0 到 18446744073709551615 之间的整数";
    PROBLEM_UNKNOWN_PRESET = "ui.problem.unknown_preset": "preset = \"{0}\": unknown preset", "preset = \"{0}\"：未知的预设场景";
    BOUND_KEY = "ui.bound_key": "{0} (now {1})", "{0}（当前 {1}）";

    PRESETS = "ui.presets": "Presets", "预设场景";
    WHAT_TO_WATCH = "ui.what_to_watch": "{0} — what to watch:", "{0} — 看点：";
    PARAMETERS = "ui.parameters": "Parameters", "参数";
    GENERAL = "ui.section.general": "General", "常规";
    ALL_PARAMETERS = "ui.all_parameters": "Show all parameters ({0} more)", "显示全部参数（另有 {0} 项）";
    FEWER_PARAMETERS = "ui.fewer_parameters": "Show the main parameters only", "只显示主要参数";
    LIVE_HINT = "ui.live_hint": "changes live, without a reset", "运行中实时生效，无需重置";
    RESULTS = "ui.results": "Results", "结果";
    CHECKERS = "ui.checkers": "Checkers: what went wrong", "检查器：哪里出了错";
    CHARTS = "ui.charts": "Charts", "图表";
    EXPLANATIONS = "ui.explanations": "How it works", "原理";
    NOTES_SAY = "ui.notes_say": "From the source notes, with what they leave out.", "来自原始笔记，并补充了笔记没有说的部分。";
    LANE = "ui.lane": "Variant", "变体";
    METRIC = "ui.metric": "Figure", "指标";
    VALUE = "ui.value": "Value", "数值";
    LATENCY_CELL = "ui.latency_cell": "{0} / {1} ms (max {2})", "{0} / {1} 毫秒（最大 {2}）";
    YES = "ui.yes": "yes", "是";
    NO = "ui.no": "no", "否";
    STILL_VIEW = "ui.still_view": "Reduced motion: traffic is drawn as bands (width = rate), not moving dots; Step moves the run on.", "减少动态效果：流量以色带表示（宽度 = 速率），不显示移动的点；点“单步”推进运行。";
    FLOW_VIEW = "ui.flow_view": "Too many to draw one by one: showing flow (band width = rate).", "数量太多，无法逐个绘制：改为显示流量（带宽 = 速率）。";
    SECONDS = "ui.seconds": "seconds", "秒";

    EXPECT_WHOLE = "ui.expect.whole": "a whole number", "整数";
    EXPECT_NUMBER = "ui.expect.number": "a number", "数字";
    EXPECT_BOOL = "ui.expect.bool": "true or false", "true 或 false";

    "traffic.pattern": "Arrival pattern", "到达模式";
    "traffic.rate_per_s": "Rate (req/s)", "速率（请求/秒）";
    "traffic.peak_rate_per_s": "Peak rate (req/s)", "峰值速率（请求/秒）";
    "traffic.on_ms": "On phase (ms)", "开启时长（毫秒）";
    "traffic.off_ms": "Off phase (ms)", "关闭时长（毫秒）";
    "traffic.burst_size": "Requests per burst", "每次突发请求数";
    "traffic.burst_period_ms": "Burst every (ms)", "突发间隔（毫秒）";
    "traffic.burst_width_ms": "Burst width (ms)", "突发持续（毫秒）";
    "traffic.ramp_ms": "Ramp (ms)", "爬升时长（毫秒）";
    "traffic.start_ms": "Starts at (ms)", "开始时间（毫秒）";
    "traffic.hold_ms": "Peak lasts (ms)", "峰值持续（毫秒）";
    "traffic.keys": "Keys", "键";
    "traffic.key_count": "Distinct keys", "不同键的数量";
    "traffic.zipf_exponent": "Zipf exponent", "Zipf 指数";
    help "traffic.pattern": "到达过程的形状。";
    help "traffic.rate_per_s": "基础到达速率，每秒请求数。";
    help "traffic.peak_rate_per_s": "“线性爬升”和“瞬时洪峰”的峰值速率，每秒请求数。";
    help "traffic.on_ms": "“开关式突发”中开启阶段的长度，毫秒。";
    help "traffic.off_ms": "“开关式突发”中关闭阶段的长度，毫秒。";
    help "traffic.burst_size": "“跨窗口边界的突发”中每次突发的请求数。";
    help "traffic.burst_period_ms": "突发以该周期的整数倍为中心出现，毫秒。";
    help "traffic.burst_width_ms": "一次突发分散在多长时间内，毫秒。";
    help "traffic.ramp_ms": "“线性爬升”的爬升时长，以及“瞬时洪峰”上升和回落的时长，毫秒。";
    help "traffic.start_ms": "瞬时洪峰开始的时刻，从运行开始算起，毫秒。";
    help "traffic.hold_ms": "瞬时洪峰在峰值停留多久，毫秒。";
    help "traffic.keys": "请求如何选择键。";
    help "traffic.key_count": "“均匀”和“Zipf”时不同键的数量。";
    help "traffic.zipf_exponent": "Zipf 指数 s（0 表示均匀；真实热点键通常约为 1）。";

    "pattern.constant": "Constant rate", "匀速";
    "pattern.poisson": "Poisson (random)", "泊松（随机）";
    "pattern.on_off": "On/off bursts", "开关式突发";
    "pattern.boundary_burst": "Burst across window edges", "跨窗口边界的突发";
    "pattern.ramp": "Ramp", "线性爬升";
    "pattern.flash_crowd": "Flash crowd", "瞬时洪峰";
    "key_choice.none": "No key", "无键";
    "key_choice.uniform": "Uniform keys", "均匀分布的键";
    "key_choice.zipf": "Zipf (hot keys)", "Zipf（热点键）";
}
