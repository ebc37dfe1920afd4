//! The translation layer: every UI string, in English and Simplified Chinese. Long because
//! it is the table itself, one line a text; the code is the few functions at its end.
//!
//! UI code asks for a key (`t(lang, "open_project")`); a test checks that every key used
//! under `src/ui/` is here, so a missing translation fails the build's tests, not a user.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// Picks the English or Chinese variant of a pair of labels from the data.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            Lang::Zh if !zh.is_empty() => zh,
            _ => {
                if en.is_empty() {
                    zh
                } else {
                    en
                }
            }
        }
    }
}

/// (key, English, Chinese)
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("menu_file", "File", "文件"),
    ("new_project", "New project…", "新建项目…"),
    ("open_project", "Open project…", "打开项目…"),
    ("import_folder", "Import extract folder…", "导入数据文件夹…"),
    ("open_sample", "Open the sample project", "打开示例项目"),
    ("quit", "Quit", "退出"),
    ("menu_view", "View", "视图"),
    ("language", "Language", "语言"),
    ("theme_dark", "Dark theme", "深色主题"),
    ("theme_light", "Light theme", "浅色主题"),
    ("period", "Period", "期间"),
    ("org_unit", "Org unit", "单位"),
    ("search_units", "Search units", "搜索单位"),
    ("pages", "Pages", "页面"),
    ("page_overview", "Project overview", "项目概览"),
    ("org_tree", "Organisation", "组织机构"),
    ("customers_short", "customers", "户"),
    ("data_tables", "Data tables", "数据表"),
    ("col_table", "Table", "数据表"),
    ("col_rows", "Rows", "行数"),
    ("col_in_unit", "In the unit", "本单位行数"),
    ("col_in_period", "In the unit and period", "本单位本期行数"),
    ("col_first", "First month", "起始月份"),
    ("col_last", "Last month", "截止月份"),
    ("col_months", "Months", "月数"),
    ("col_coverage", "Months covered", "覆盖月份"),
    ("not_in_time", "not tied to a month", "不按月份"),
    ("import_history", "Import history", "导入记录"),
    ("col_when", "When", "时间"),
    ("col_kind", "Kind", "方式"),
    ("col_file", "File", "文件"),
    ("col_size", "Size", "大小"),
    ("col_stored", "Rows stored", "入库行数"),
    ("col_rejected", "Rejected", "拒收行数"),
    ("col_sha", "SHA-256", "SHA-256"),
    ("kind_folder", "Folder", "文件夹"),
    ("kind_file", "File", "文件"),
    (
        "no_imports",
        "Nothing has been imported yet: use File > Import extract folder.",
        "尚未导入数据：请使用“文件 > 导入数据文件夹”。",
    ),
    ("schema_version", "Schema version", "结构版本"),
    ("created", "Created", "创建时间"),
    ("file_size", "File size", "文件大小"),
    ("path", "File", "文件"),
    ("ready", "Ready", "就绪"),
    ("cancel", "Cancel", "取消"),
    ("error", "Something went wrong", "出错了"),
    ("ok", "OK", "确定"),
    ("no_project", "No project is open", "未打开项目"),
    (
        "welcome_hint",
        "Open a project, create a new one, or open the bundled sample province.",
        "请打开已有项目、新建项目，或打开内置的示例省份。",
    ),
    (
        "job_build_sample",
        "Building the sample project",
        "正在生成示例项目",
    ),
    ("job_open", "Opening the project", "正在打开项目"),
    ("job_new", "Creating the project", "正在新建项目"),
    ("job_counts", "Counting rows in the unit", "正在统计本单位数据"),
    ("job_import", "Importing the folder", "正在导入文件夹"),
    ("cancelled", "Cancelled", "已取消"),
    ("imported", "Imported", "已导入"),
    ("rows_in_tables", "rows into tables", "行，数据表数"),
    ("empty_table", "empty", "无数据"),
    ("no_months", "No monthly data yet", "暂无月度数据"),
    ("page_import", "Import files", "导入文件"),
    ("page_sql", "SQL console", "SQL 查询台"),
    (
        "sql_hint",
        "One SELECT over the project's tables; nothing it does can change the project.",
        "对项目数据表执行一条 SELECT 查询；查询不会改动项目。",
    ),
    ("sql_history", "Queries run before", "查询历史"),
    ("sql_run", "Run", "运行"),
    (
        "sql_run_help",
        "Run the query (Ctrl+Enter)",
        "运行查询（Ctrl+Enter）",
    ),
    (
        "sql_more",
        " (the first ones; add a LIMIT or narrow the query)",
        "（仅显示前面的行；请加 LIMIT 或缩小查询范围）",
    ),
    ("job_sql", "Running the query", "正在运行查询"),
    ("page_leaders", "Views for Leaders", "领导视窗"),
    ("page_audit", "Audit workbench", "稽查工作台"),
    ("all", "all", "全部"),
    ("rows", "rows", "行"),
    ("copy_data", "Copy data", "复制数据"),
    ("market_filtered", "Filtered on", "筛选："),
    ("market_remove_filter", "Remove this filter", "移除此筛选"),
    (
        "market_filter_help",
        "Show only this class in the customers, handling times and overdue applications",
        "在客户、办理时长和超期申请中只看此类别",
    ),
    ("chart_png", "Save PNG…", "保存图片…"),
    (
        "chart_png_help",
        "Save this chart as a PNG image, for a slide",
        "将此图表保存为PNG图片，用于汇报",
    ),
    ("job_chart_png", "Saving the chart", "保存图表"),
    (
        "copy_data_help",
        "Copy the numbers as tab-separated rows, to paste into Excel",
        "以制表符分隔复制数据，可粘贴到Excel",
    ),
    ("table", "Table", "数据表"),
    ("rows_show", "Show the rows behind this number", "查看明细数据"),
    ("rows_search", "Search the rows…", "搜索明细…"),
    ("rows_export", "Export CSV / XLSX…", "导出 CSV / XLSX…"),
    (
        "rows_sort",
        "Sort by this column (again: the other way)",
        "按此列排序（再点反向）",
    ),
    ("rows_written", "Rows written:", "已导出："),
    ("job_rows", "Reading the rows", "读取明细"),
    ("job_rows_export", "Exporting the rows", "导出明细"),
    ("job_export_rejects", "Saving the rejected rows", "保存拒收记录"),
    ("page_market", "Key market", "重点市场"),
    (
        "market_key_customers",
        "Largest customers (kWh over the last 12 months)",
        "重点客户（近12个月电量）",
    ),
    (
        "market_share_of_top",
        "Their share of the month's sales:",
        "占本月售电量：",
    ),
    ("market_customer", "Customer", "客户"),
    ("market_capacity", "kVA", "容量(kVA)"),
    ("market_kwh_month", "kWh this month", "本月电量(kWh)"),
    ("market_yoy", "vs last year", "同比"),
    ("market_share", "Share", "占比"),
    ("market_trend", "13 months", "近13个月"),
    (
        "market_funnel",
        "Applications of the last 12 months by step reached",
        "近12个月业扩申请各环节",
    ),
    (
        "market_funnel_note",
        "Design review and mid check concern high-voltage applications only.",
        "设计审查和中间检查仅适用于高压业扩。",
    ),
    ("market_step_accepted", "Accepted", "受理"),
    ("market_step_surveyed", "Site survey", "现场勘查"),
    ("market_step_plan", "Supply plan", "供电方案"),
    ("market_step_design", "Design review", "设计审查"),
    ("market_step_mid_check", "Mid check", "中间检查"),
    ("market_step_completed", "Completion", "竣工检验"),
    ("market_step_meter", "Meter", "装表"),
    ("market_step_energised", "Energised", "送电"),
    (
        "market_handling",
        "Handling time by class against the time limit",
        "各类别办理时长与时限",
    ),
    (
        "market_handling_note",
        "Box: quartiles and median of the applications energised in the last 12 months; diamond: the time limit (≤ working days).",
        "箱线：近12个月送电申请的四分位与中位数；菱形：时限（工作日）。",
    ),
    ("market_working_days", "working days", "工作日"),
    ("market_limit", "time limit", "时限"),
    ("market_median", "median", "中位数"),
    ("market_none", "None.", "无。"),
    (
        "market_overdue",
        "Open applications over their time limit",
        "超时限未送电申请",
    ),
    ("market_application", "Application", "申请编号"),
    ("market_accepted", "Accepted", "受理日期"),
    ("market_days", "Days / limit", "已用/时限"),
    (
        "market_composition",
        "Customers and sales this month",
        "本月客户与售电构成",
    ),
    ("market_voltage", "Voltage", "电压等级"),
    ("market_industry", "Industry (largest)", "行业（前列）"),
    ("market_customers", "Customers", "户数"),
    ("target_for_unit", "Target of this unit", "本单位目标"),
    ("target_inherit", "Use the target above", "沿用上级目标"),
    (
        "target_inherit_help",
        "Remove this unit's own target: it takes the target of the nearest unit above it, or the default.",
        "删除本单位目标：沿用最近上级单位的目标或默认值。",
    ),
    ("target_saved", "Target saved.", "目标已保存。"),
    ("job_target", "Saving the target", "保存目标"),
    ("page_service", "Service quality", "服务质量"),
    (
        "service_tickets",
        "95598 tickets this month by type",
        "本月95598工单（按类型）",
    ),
    ("service_tickets_total", "tickets", "张工单"),
    (
        "service_units",
        "Units one level down against their commitments",
        "下级单位对标承诺",
    ),
    (
        "service_reliability",
        "Supply reliability, with and without major event days (IEEE 1366, 2.5 beta)",
        "供电可靠性（含/不含重大事件日，IEEE 1366 2.5β法）",
    ),
    ("service_tmed", "Major event day threshold", "重大事件日阈值"),
    ("service_minutes", "min", "分钟"),
    ("service_system", "whole system:", "全系统："),
    (
        "service_days_counted",
        "days with interruptions in",
        "个有停电的日子，",
    ),
    (
        "service_no_tmed",
        "fewer than 10 days with interruptions in the five years before: no major event days",
        "此前五年有停电的天数不足10天，不判定重大事件日",
    ),
    ("service_saidi_chart", "SAIDI by month (min)", "月度SAIDI（分钟）"),
    ("service_with_med", "with major events", "含重大事件"),
    ("service_without_med", "without major events", "不含重大事件"),
    ("service_saidi", "SAIDI", "SAIDI"),
    ("service_saidi_ex", "SAIDI w/o MED", "SAIDI(不含)"),
    ("service_saifi", "SAIFI", "SAIFI"),
    ("service_saifi_ex", "SAIFI w/o MED", "SAIFI(不含)"),
    (
        "service_meds",
        "Major event days (daily SAIDI)",
        "重大事件日（日SAIDI）",
    ),
    (
        "service_repeat",
        "Repeat complainers this month (again within 30 days)",
        "本月重复投诉客户（30天内再次投诉）",
    ),
    (
        "service_no_repeat",
        "No customer complained twice within 30 days.",
        "无30天内重复投诉的客户。",
    ),
    ("service_complaints", "Complaints in 30 days", "30天内投诉次数"),
    ("service_first", "First", "首次"),
    ("service_last", "Latest", "最近"),
    ("page_bulletin", "Bulletin Board", "综合看板"),
    (
        "dea_on_map",
        "Show the units on the frontier on the map",
        "在地图上显示前沿面上的单位",
    ),
    (
        "dea_on_map_help",
        "The map opens with the units on the frontier tinted green (remove the chip there to clear them).",
        "打开地图，前沿面上的单位以绿色标出（在地图上点去标签即可清除）。",
    ),
    ("dea_on_map_chip", "On the DEA frontier", "位于 DEA 前沿面"),
    (
        "job_malmquist",
        "Working out the Malmquist index",
        "正在计算 Malmquist 指数",
    ),
    (
        "dea_malmquist",
        "Productivity change from a year earlier (Malmquist)",
        "与上年同期相比的生产率变化（Malmquist 指数）",
    ),
    (
        "dea_malmquist_help",
        "Under constant returns, the same inputs and outputs of the same period a year earlier: above 1 productivity grew; efficiency change is catching up with the frontier, technical change the frontier's shift (Färe et al. 1994).",
        "在规模报酬不变下，以上年同期相同的投入与产出比较：大于 1 表示生产率提高；效率变化为向前沿追赶，技术变化为前沿面的移动（Färe 等，1994）。",
    ),
    ("dea_malmquist_index", "Malmquist", "Malmquist 指数"),
    ("dea_efficiency_change", "Efficiency change", "效率变化"),
    ("dea_technical_change", "Technical change", "技术变化"),
    ("system_add_query", "Add a query's indicator…", "添加查询指标…"),
    (
        "system_add_query_help",
        "An indicator of your own: a SELECT over the project's tables returning unit_id, month, numerator and denominator; checked against the project when saved, as a project rule is.",
        "自定义指标：对项目数据表的一条 SELECT，返回 unit_id、month、numerator、denominator；保存时像项目规则一样对照项目检查。",
    ),
    ("system_query_of", "Query of", "查询："),
    ("system_unit", "Unit", "单位"),
    ("system_scale", "Scale", "倍数"),
    (
        "system_query_help",
        "A unit's value for a period: the sum of numerator over the sum of denominator of its rows (and of the units below it) in the period's months, times the scale.",
        "单位某期的值：该单位（及下级单位）在本期各月的 numerator 之和除以 denominator 之和，再乘以倍数。",
    ),
    ("system_editor", "Index system", "指标体系"),
    ("system_edit", "Edit index system…", "编辑指标体系…"),
    (
        "system_edit_help",
        "Copy this index system into the project and change its weights, floors, targets and indicators (published evaluations keep the system they used).",
        "将此指标体系复制到项目中并修改权重、底线值、目标值和指标（已发布的评价保留当时使用的体系）。",
    ),
    ("job_system_save", "Saving the index system", "正在保存指标体系"),
    ("system_saved", "Index system saved", "指标体系已保存"),
    ("system_name", "Name", "名称"),
    ("system_year", "Year", "年度"),
    ("system_title", "Title", "标题"),
    (
        "system_help",
        "Saved in the project under its name and year; the same name and year as the shipped system replaces it in this project. Weights of a node add up to 1 unless an AHP matrix gives them.",
        "以名称和年度保存在项目中；与内置体系同名同年度时，在本项目中取代内置体系。同一节点的权重之和须为 1，除非由层次分析矩阵给出。",
    ),
    ("system_direction", "Better", "方向"),
    ("system_higher", "higher", "越高越好"),
    ("system_lower", "lower", "越低越好"),
    ("system_floor", "Floor (60)", "底线值（60分）"),
    ("system_target", "Target (100)", "目标值（100分）"),
    ("system_per_year", "Per year", "按年"),
    ("system_remove", "Remove this indicator", "删除此指标"),
    ("system_add", "Add an indicator:", "添加指标："),
    ("system_remove_dimension", "Remove this dimension", "删除此维度"),
    (
        "system_ok",
        "The index system holds: it can be saved.",
        "指标体系检查通过，可以保存。",
    ),
    ("system_save", "Save in the project", "保存到项目"),
    (
        "system_save_help",
        "Keep this system in the project and evaluate with it",
        "将此体系保存到项目中并用它评价",
    ),
    ("system_delete", "Remove from the project", "从项目中删除"),
    (
        "system_use_ahp",
        "Weights from pairwise comparisons (AHP)",
        "由两两比较得出权重（层次分析法）",
    ),
    (
        "system_use_ahp_help",
        "Judge each pair on Saaty's 1-9 scale (3: moderately more important; 1/3: moderately less); the weights are the matrix's principal eigenvector, and CR must stay below 0.10.",
        "按 Saaty 1-9 标度判断每一对（3：稍重要；1/3：稍不重要）；权重为矩阵的主特征向量，CR 须低于 0.10。",
    ),
    ("system_departs_most", "departs most:", "偏离最大："),
    (
        "dea_frontier_help",
        "Drawn as under constant returns (CCR): in ratios per unit of input or output that frontier is a line; under BCC more units lie on their own frontier.",
        "按规模报酬不变（CCR）绘制：以单位投入或产出的比值表示时，该前沿为折线；在 BCC 下更多单位位于各自的前沿上。",
    ),
    ("dea_on_frontier_count", "on the frontier", "个位于前沿面"),
    ("dea_without_slacks", "of them without slacks", "个无松弛"),
    (
        "job_dea",
        "Working out the efficiency (DEA)",
        "正在计算效率（DEA）",
    ),
    ("dea_title", "Efficiency (DEA)", "效率（数据包络分析）"),
    (
        "dea_help",
        "Data envelopment analysis of the units of one level within the unit: how far each could cut its inputs (resources of the year) or raise its outputs (the period's volumes) by doing as well as the best. Efficient units are green; super-efficiency ranks them.",
        "在本单位范围内对同一层级的单位做数据包络分析：若做到与最优单位一样好，每个单位可减少多少投入（当年资源）或增加多少产出（本期业务量）。有效单位为绿色；超效率对其排序。",
    ),
    ("dea_level", "Units of level", "单位层级"),
    (
        "dea_ccr_help",
        "Constant returns to scale (Charnes, Cooper and Rhodes 1978)",
        "规模报酬不变（CCR，1978）",
    ),
    (
        "dea_bcc_help",
        "Variable returns to scale (Banker, Charnes and Cooper 1984)",
        "规模报酬可变（BCC，1984）",
    ),
    ("dea_input_oriented", "Input-oriented", "投入导向"),
    ("dea_output_oriented", "Output-oriented", "产出导向"),
    ("dea_inputs", "Inputs", "投入"),
    ("dea_outputs", "Outputs", "产出"),
    (
        "dea_left_out",
        "units left out (hover for why)",
        "个单位未纳入（鼠标停留查看原因）",
    ),
    ("dea_units", "units", "个单位"),
    ("dea_efficient", "Efficient units", "有效单位"),
    ("dea_mean", "mean score", "平均效率"),
    ("dea_super", "super-efficiency", "超效率"),
    ("dea_infeasible", "infeasible", "不可行"),
    ("dea_score", "Efficiency", "效率"),
    (
        "dea_click_bar",
        "Click a bar for that unit's peers and targets.",
        "点击柱形查看该单位的参照单位与目标值。",
    ),
    ("dea_frontier", "Frontier", "前沿面"),
    (
        "dea_frontier_2d",
        "The frontier is drawn when there are two dimensions: one input and one or two outputs, or two inputs and one output.",
        "仅在二维时绘制前沿面：一项投入对一或两项产出，或两项投入对一项产出。",
    ),
    ("dea_peers", "Peers (lambda)", "参照单位（λ）"),
    (
        "dea_on_frontier",
        "none, the unit is on the frontier",
        "无，该单位位于前沿面上",
    ),
    ("dea_scale", "Scale efficiency", "规模效率"),
    (
        "dea_rts_increasing",
        "increasing returns to scale",
        "规模报酬递增",
    ),
    (
        "dea_rts_decreasing",
        "decreasing returns to scale",
        "规模报酬递减",
    ),
    ("dea_rts_constant", "constant returns to scale", "规模报酬不变"),
    ("dea_measure", "Measure", "指标"),
    ("dea_actual", "Actual", "实际"),
    ("dea_target", "Target", "目标"),
    ("dea_change", "Change", "变化"),
    ("page_evaluation", "Evaluation", "评价"),
    ("page_benchmark", "Benchmarking", "对标"),
    ("job_evaluation", "Evaluating the units", "正在评价各单位"),
    (
        "job_evaluation_history",
        "Evaluating earlier periods",
        "正在评价以往各期",
    ),
    (
        "job_evaluation_publish",
        "Publishing the evaluation",
        "正在发布评价结果",
    ),
    (
        "job_evaluation_item",
        "Saving the improvement item",
        "正在保存整改事项",
    ),
    ("job_benchmark", "Benchmarking the units", "正在对标各单位"),
    ("job_benchmark_group", "Saving the peer group", "正在保存对标组"),
    (
        "job_benchmark_import",
        "Importing peer figures",
        "正在导入外部对标数据",
    ),
    (
        "evaluation_no_period",
        "No complete period of this kind in the data at or before",
        "数据中在此月份及以前没有完整的该类期间：",
    ),
    (
        "evaluation_ranking",
        "Units ranked by total score",
        "各单位总分排名",
    ),
    (
        "evaluation_ranking_help",
        "Scores by the efficacy coefficient (60 at the floor, 100 at the target), weighted by the index system; hover a dimension for its indicators; click a rank to look at that unit below.",
        "按功效系数计分（底线值 60 分，目标值 100 分），按指标体系加权；鼠标停在维度得分上可看各指标；点击名次在下方查看该单位。",
    ),
    ("evaluation_total", "Total", "总分"),
    ("evaluation_grade", "Grade", "等级"),
    ("evaluation_weight", "Weight", "权重"),
    ("evaluation_deduction", "Deduction", "扣分"),
    (
        "evaluation_topsis_help",
        "TOPSIS closeness to the ideal unit on the raw values with the same weights (1 = the ideal), beside the scores as a check of the order.",
        "TOPSIS 贴近度：以相同权重在原始值上与理想单位的贴近程度（1 为理想），作为排序的旁证。",
    ),
    (
        "evaluation_select",
        "Show this unit's radar and gap",
        "查看该单位的雷达图与差距",
    ),
    ("evaluation_unscored", "unscored", "未评分"),
    (
        "evaluation_dimension_none",
        "Nothing to count in any indicator of this dimension: its weight goes to the other dimensions",
        "该维度各项指标本期均无可统计事项：其权重分配给其他维度",
    ),
    (
        "evaluation_left_out",
        "left out (nothing to count)",
        "不参与（无可统计事项）",
    ),
    ("evaluation_publish", "Publish", "发布"),
    (
        "evaluation_publish_help",
        "Keep this result as published: it will not change, and later data changes are measured against it. Improvement items are raised for grades C and D and for indicators below their floor.",
        "将此结果作为正式发布保存：此后不再改变，之后的数据变化都与之比较。对 C、D 等级及低于底线值的指标生成整改事项。",
    ),
    ("evaluation_published", "published", "已发布"),
    (
        "evaluation_published_as",
        "Published as evaluation",
        "已发布，评价编号",
    ),
    ("evaluation_published_on", "Published on", "发布于"),
    (
        "evaluation_still_matches",
        "the data still match it",
        "数据与发布时一致",
    ),
    (
        "evaluation_drift",
        "the data have changed since: totals moved by up to",
        "此后数据已变化：总分最多变动",
    ),
    ("evaluation_grades_changed", "grades differ", "个等级不同"),
    (
        "evaluation_radar",
        "Dimensions against the average and the best",
        "各维度与平均、最优对比",
    ),
    ("evaluation_average", "Average", "平均"),
    ("evaluation_best", "Best", "最优"),
    (
        "evaluation_waterfall",
        "What the gap to the best unit is made of",
        "与最优单位差距的构成",
    ),
    ("evaluation_gap_to", "Gap to", "相对"),
    ("evaluation_points", "points", "分"),
    ("evaluation_is_best", "The best unit is", "最优单位为"),
    ("evaluation_history", "Grades over the periods", "各期等级"),
    (
        "evaluation_history_help",
        "The same evaluation for the periods before (✔: published, shown as published).",
        "之前各期的同一评价（✔：已发布，按发布结果显示）。",
    ),
    ("evaluation_weights", "Weight sets side by side", "各权重方案对比"),
    (
        "evaluation_weights_help",
        "The index system's own weights against weights from the period's data (entropy, CRITIC).",
        "指标体系自带权重与由本期数据求得的权重（熵权法、CRITIC）对比。",
    ),
    (
        "evaluation_weights_expert",
        "Index system (expert or AHP)",
        "指标体系（专家或层次分析法）",
    ),
    ("evaluation_weights_entropy", "Entropy", "熵权法"),
    ("evaluation_weights_used", "Used", "实际采用"),
    ("evaluation_items", "Improvement items", "整改事项"),
    (
        "evaluation_items_help",
        "Raised when an evaluation is published, for a grade C or D and for every indicator below its floor; followed in the next period.",
        "发布评价时，对 C、D 等级及每项低于底线值的指标生成；在下一期跟踪。",
    ),
    (
        "evaluation_no_items",
        "No improvement items: none raised by a published evaluation yet.",
        "暂无整改事项：尚无已发布的评价生成整改事项。",
    ),
    ("evaluation_item_period", "Raised in", "生成期间"),
    ("evaluation_item_reason", "Reason", "原因"),
    ("evaluation_item_due", "Due", "期限"),
    ("evaluation_item_since", "Total then → now", "总分 当时 → 现在"),
    ("evaluation_item_state", "State", "状态"),
    ("evaluation_item_open", "open", "进行中"),
    ("evaluation_item_done", "done", "已完成"),
    ("evaluation_item_measures", "Measures", "整改措施"),
    ("evaluation_item_note", "Note", "备注"),
    ("evaluation_item_save", "Save", "保存"),
    (
        "evaluation_item_saved",
        "Improvement item saved",
        "整改事项已保存",
    ),
    ("benchmark_bands", "Bands of customer count", "按用户规模分组"),
    ("benchmark_new_group", "New peer group…", "新建对标组…"),
    (
        "benchmark_new_group_help",
        "Choose comparable units and give the group a name; it is kept in the project.",
        "选择可比单位并命名；对标组保存在项目中。",
    ),
    ("benchmark_group_name", "Name", "名称"),
    ("benchmark_group_save", "Save group", "保存对标组"),
    (
        "benchmark_import_peers",
        "Import peer figures…",
        "导入外部对标数据…",
    ),
    (
        "benchmark_import_peers_help",
        "A CSV or Excel file with the columns peer, period, indicator and value (see docs/evaluation.md).",
        "CSV 或 Excel 文件，包含 peer、period、indicator、value 四列（见 docs/evaluation.md）。",
    ),
    (
        "benchmark_peers_imported",
        "peer figures imported",
        "条外部对标数据已导入",
    ),
    ("benchmark_leader", "leader:", "标杆："),
    ("benchmark_to_leader", "To the leader", "与标杆差距"),
    ("benchmark_to_quartile", "To the top quartile", "与前四分之一差距"),
    ("benchmark_best_cases", "Leader's cases", "标杆案例"),
    (
        "benchmark_best_cases_help",
        "Open the case library on the leader's cases",
        "在案例库中查看标杆单位的案例",
    ),
    ("benchmark_best_findings", "Leader's findings", "标杆审计发现"),
    (
        "benchmark_best_findings_help",
        "Open the audit workbench on the leader's confirmed findings (the top bar moves to the leader)",
        "在审计工作台查看标杆单位已确认的问题（顶栏切换到标杆单位）",
    ),
    ("benchmark_indicator", "Indicator", "指标"),
    ("benchmark_top_quartile", "Top quartile", "前四分之一"),
    (
        "benchmark_external",
        "Against external peers",
        "与外部对标单位比较",
    ),
    (
        "benchmark_no_external",
        "No external peer figures for this period: import them from a CSV or Excel file.",
        "本期没有外部对标数据：可从 CSV 或 Excel 文件导入。",
    ),
    ("benchmark_peer", "Peer", "对标单位"),
    ("benchmark_peer_value", "Peer value", "对标值"),
    ("benchmark_our_value", "Ours", "本单位"),
    ("benchmark_difference", "Difference", "差值"),
    (
        "bulletin_ranking",
        "Units ranked on the composite",
        "单位综合排名",
    ),
    (
        "bulletin_ranking_help",
        "Composite: the mean, over the indicators with a better direction, of each unit's percentile among these units (100 = best). Values coloured by status against the target.",
        "综合得分：各有优劣方向指标在同级单位中的百分位（100为最优）的平均值；数值颜色表示对标状态。",
    ),
    ("bulletin_composite", "Composite", "综合得分"),
    ("bulletin_breaches", "Off target this month", "本月未达标指标"),
    (
        "bulletin_no_breaches",
        "Every indicator with a target meets it.",
        "所有有目标的指标均已达标。",
    ),
    (
        "bulletin_breach_count",
        "misses, largest first",
        "项，按偏差从大到小",
    ),
    ("bulletin_off_by", "off by", "偏差"),
    ("bulletin_freshness", "Data freshness", "数据新鲜度"),
    ("bulletin_months", "Months covered", "覆盖月份"),
    ("bulletin_last_import", "Last import", "最近导入"),
    ("bulletin_behind", "behind the period", "落后于所选期间"),
    ("bulletin_empty", "no data", "无数据"),
    ("cases_save_file", "Save a copy…", "另存为…"),
    ("rules_run_one", "Run this rule for the month", "对当月运行本规则"),
    ("audit_min_amount", "At stake ≥", "金额 ≥"),
    ("page_rules", "Audit rules", "稽查规则"),
    ("job_rules", "Loading the rules", "加载规则"),
    ("job_rule_save", "Saving the rule", "保存规则"),
    ("rules_new", "New project rule", "新建项目规则"),
    (
        "rules_new_help",
        "A query over the data model returning entity_type, entity_id, unit_id, period, amount, confidence; other columns are evidence, usable in the explanation as {name}. It is checked on this project before it is kept.",
        "基于数据模型的查询，须返回 entity_type、entity_id、unit_id、period、amount、confidence；其余列为证据，可在说明中以{name}引用。保存前在本项目上校验。",
    ),
    ("rules_check_save", "Check and save", "校验并保存"),
    ("rules_category", "Category", "类别"),
    ("rules_precision", "Precision (verified)", "准确率(已核实)"),
    (
        "rules_precision_by_city",
        "Precision by city (confirmed / verified)",
        "各地市准确率(确认/已核实)",
    ),
    (
        "rules_no_verdicts",
        "No suspect of this rule has been verified yet.",
        "该规则的疑点尚未核实。",
    ),
    ("rules_project_rule", "project", "项目"),
    ("rules_explanation", "Explanation", "说明模板"),
    ("rules_params", "Parameters in this project", "本项目参数"),
    (
        "rules_params_note",
        "Used by the next run of the rule.",
        "下次运行规则时生效。",
    ),
    ("rules_default", "default", "默认"),
    ("rules_reset", "Back to the defaults", "恢复默认"),
    ("rules_query", "Query", "查询语句"),
    ("rules_delete", "Delete", "删除"),
    ("rules_saved", "Rule saved:", "规则已保存："),
    ("rules_name_en", "Name (English)", "英文名称"),
    ("rules_name_zh", "Name (Chinese)", "中文名称"),
    ("rules_description", "Description", "描述"),
    ("rules_explanation_en", "Explanation (English)", "英文说明模板"),
    ("rules_explanation_zh", "Explanation (Chinese)", "中文说明模板"),
    ("why_title", "Why did this change?", "为何变化？"),
    (
        "why_not_split",
        "This indicator is not a sum or a ratio of sums; its change is not split.",
        "该指标不是总量或总量之比，无法精确分解。",
    ),
    ("why_vs_last_month", "vs last month", "较上月"),
    ("why_vs_last_year", "vs same month last year", "较去年同期"),
    ("why_unit", "Unit", "单位"),
    ("why_by_class", "By customer class", "按用电类别"),
    ("why_class", "Customer class", "用电类别"),
    ("why_volume", "of which volume (kWh)", "其中：电量效应"),
    ("why_price", "of which price", "其中：电价效应"),
    ("why_effect", "Part of the change", "贡献"),
    ("why_rate", "of which rate", "其中：水平效应"),
    ("why_mix", "of which mix", "其中：结构效应"),
    (
        "why_rules",
        "Open suspects of related audit rules in the months compared, in the units that moved it most",
        "主要贡献单位在对比期间的相关规则未结疑点",
    ),
    ("why_no_suspects", "no open suspects", "无未结疑点"),
    ("job_why", "Explaining the change", "分解指标变化"),
    ("page_cases", "Case library", "案例库"),
    ("cases_library", "Case library:", "案例库："),
    ("job_cases", "Loading the case library", "加载案例库"),
    ("job_case_save", "Saving the case", "保存案例"),
    ("job_cases_import", "Importing cases", "导入案例"),
    ("job_cases_export", "Exporting cases", "导出案例"),
    ("cases_import", "Import cases…", "导入案例…"),
    ("cases_export", "Export cases…", "导出案例…"),
    ("cases_attach", "Attach files…", "添加附件…"),
    (
        "cases_search",
        "Search cases (中文 or English)…",
        "搜索案例（中文或英文）…",
    ),
    ("cases_tag", "Tag", "标签"),
    ("cases_sort", "Sort by", "排序"),
    ("cases_by_date", "date", "日期"),
    ("cases_by_amount", "amount", "金额"),
    ("cases_count", "cases", "个案例"),
    ("cases_edit", "Edit", "编辑"),
    ("cases_title", "Title", "标题"),
    ("cases_title_en", "Title (English)", "英文标题"),
    ("cases_symptoms", "Symptoms", "问题表现"),
    ("cases_found_how", "How it was found", "发现方式"),
    ("cases_root_cause", "Root cause", "问题根源"),
    ("cases_handling", "Handling", "处理措施"),
    ("cases_outcome", "Outcome", "处理结果"),
    ("cases_amount", "Amount (yuan)", "金额(元)"),
    ("cases_tags", "Tags (comma-separated)", "标签（逗号分隔）"),
    ("cases_files", "Attachments", "附件"),
    ("cases_bad_amount", "Not a number", "不是数字"),
    ("cases_saved", "Case saved:", "案例已保存："),
    ("cases_similar", "Similar cases", "相似案例"),
    (
        "cases_none_similar",
        "No similar case in the library.",
        "案例库中暂无相似案例。",
    ),
    ("cases_promote", "Make a case of it", "转为案例"),
    ("save", "Save", "保存"),
    ("yuan", "yuan", "元"),
    ("close", "Close", "关闭"),
    ("job_audit", "Running the audit rules", "运行稽查规则"),
    ("job_audit_list", "Listing suspects", "查询疑点"),
    ("job_audit_detail", "Loading the evidence", "加载证据"),
    ("job_audit_change", "Recording the change", "记录处理"),
    ("audit_span_month", "the month", "当月"),
    ("audit_span_3", "last 3 months", "近3个月"),
    ("audit_span_12", "last 12 months", "近12个月"),
    ("audit_span_all", "all months", "全部月份"),
    ("audit_run_for", "Run the rules for", "运行规则："),
    ("audit_all_rules", "all rules", "全部规则"),
    ("audit_run", "Run audit", "运行稽查"),
    ("audit_run_no", "Run", "第"),
    ("audit_suspects", "suspects", "条疑点"),
    ("audit_new", "new", "条新增"),
    ("audit_gone", "no longer found", "条已消失"),
    (
        "audit_not_kept",
        "The project is read-only: suspects were not kept",
        "项目只读：疑点未保存",
    ),
    ("audit_failed", "rules failed", "条规则失败"),
    ("audit_rule", "Rule", "规则"),
    ("audit_status", "Status", "状态"),
    ("audit_severity", "Severity", "严重度"),
    ("severity_high", "high", "高"),
    ("severity_medium", "medium", "中"),
    ("severity_low", "low", "低"),
    (
        "audit_search",
        "Search customer, area, evidence…",
        "搜索户号、台区、证据…",
    ),
    ("audit_include_gone", "include no longer found", "含已消失"),
    (
        "audit_none",
        "No suspects here. Run the audit, or widen the filters.",
        "暂无疑点。请运行稽查或放宽筛选条件。",
    ),
    ("audit_selected", "selected", "条已选"),
    ("audit_assignee", "Unit responsible", "责任单位"),
    ("audit_assign", "Assign", "派发"),
    ("audit_fp_reason", "Reason for false positive", "误报原因"),
    ("audit_mark_fp", "Mark false positive", "标记误报"),
    ("audit_clear_selection", "Clear selection", "清除选择"),
    ("audit_score", "Score", "评分"),
    ("audit_entity", "Entity", "对象"),
    ("audit_period", "Month", "月份"),
    ("audit_unit", "Unit", "单位"),
    ("audit_amount", "At stake (yuan)", "涉及金额(元)"),
    ("audit_explanation", "Why", "疑点说明"),
    ("audit_overdue", "Rectification overdue", "整改逾期"),
    ("audit_confidence", "confidence", "置信度"),
    ("audit_due", "due", "期限"),
    ("audit_series_kwh", "Billed kWh by month", "月度电量(千瓦时)"),
    ("audit_series_loss", "Loss rate by month (%)", "月度线损率(%)"),
    ("audit_evidence", "Evidence", "证据"),
    ("audit_archive", "Archive", "档案"),
    ("audit_related", "Related rows", "相关记录"),
    ("audit_trail", "Audit trail", "处理记录"),
    ("audit_trail_empty", "No changes yet.", "尚无处理记录。"),
    ("audit_recovered", "Recovered (yuan)", "追回金额(元)"),
    ("audit_note", "Note", "备注"),
    (
        "audit_done",
        "Closed: the loop is complete.",
        "已销号，闭环完成。",
    ),
    (
        "audit_bad_date",
        "Not a date (YYYY-MM-DD)",
        "日期格式应为YYYY-MM-DD",
    ),
    ("audit_changed", "Suspects updated:", "已更新疑点："),
    ("job_indicators", "Counting the indicators", "计算指标"),
    ("status_green", "on target", "达标"),
    ("status_amber", "improving", "改善中"),
    ("status_red", "off target", "未达标"),
    ("no_data", "no data", "无数据"),
    ("vs_last_month", "MoM", "环比"),
    ("vs_last_year", "YoY", "同比"),
    ("target", "Target", "目标"),
    ("last_13_months", "Last 13 months", "近13个月"),
    ("provisional", "provisional", "暂估"),
    (
        "provisional_closes",
        "Provisional: the payments that count for this month are complete from",
        "暂估值：本月应计入的缴费截至",
    ),
    (
        "provisional_data_until",
        "the payments in the data reach",
        "数据中的缴费截至",
    ),
    (
        "provisional_no_payments",
        "no payments in the data",
        "数据中没有缴费记录",
    ),
    (
        "card_hint",
        "Click a card for its trend, the ranking of the units below and the split by customer class.",
        "点击指标卡查看趋势、下级单位排名和按用电类别的构成。",
    ),
    ("trend_13_months", "Trend, 13 months", "近13个月趋势"),
    (
        "units_below",
        "Units one level down (a name drills down; a bar or rank filters)",
        "下级单位（点名称下钻；点柱或名次筛选）",
    ),
    ("leaders_by_class", "By customer class", "按用电类别"),
    (
        "leaders_no_class_split",
        "This indicator belongs to areas and feeders, not to customer classes.",
        "该指标按台区和线路统计，不按用电类别划分。",
    ),
    (
        "leaders_no_class_data",
        "No data by customer class for this month.",
        "本月没有按用电类别的数据。",
    ),
    ("leaders_no_customer", "No known customer", "未关联用户"),
    (
        "leaders_filter_class",
        "Filter the trend and the ranking on this class",
        "按此类别筛选趋势和排名",
    ),
    (
        "no_units_below",
        "This unit has no units below it.",
        "该单位没有下级单位。",
    ),
    ("drill_down", "Show this unit", "查看该单位"),
    (
        "import_hint",
        "CSV (UTF-8, GBK, UTF-16, Latin-1), Excel or Parquet extracts: choose them here or drop them on the window.",
        "CSV（UTF-8、GBK、UTF-16、Latin-1）、Excel 或 Parquet 文件：在此选择，或直接拖放到窗口。",
    ),
    ("choose_files", "Choose files…", "选择文件…"),
    ("target_table", "Table", "目标数据表"),
    ("encoding", "Encoding", "编码"),
    ("encoding_auto", "Detect", "自动识别"),
    ("sheet", "Sheet", "工作表"),
    ("skip_lines", "Lines before the header", "表头前跳过行数"),
    ("profile", "Profile", "导入方案"),
    ("no_profile", "None (suggested mapping)", "无（自动匹配）"),
    ("column_mapping", "Column mapping", "字段映射"),
    ("source_column", "Column in the file", "文件中的列"),
    ("field", "Field", "字段"),
    ("scale", "Unit scale", "单位换算"),
    ("example_values", "First values", "示例值"),
    ("ignore_column", "(ignore)", "（忽略）"),
    (
        "map_required",
        "Map these required fields before importing",
        "导入前请映射以下必填字段",
    ),
    (
        "preview_rows",
        "First rows as they will be stored",
        "入库后的前几行",
    ),
    ("rows_in_file", "rows in the file", "行"),
    ("no_rejects", "Every row passes the checks.", "所有行均通过校验。"),
    ("rows_rejected", "Rows rejected", "拒收行数"),
    ("col_row", "Row", "行号"),
    ("col_column", "Column", "列"),
    ("col_value", "Value", "值"),
    ("col_reason", "Reason", "原因"),
    ("reject_bad_number", "not a number", "不是数字"),
    ("reject_bad_bool", "not yes/no", "不是“是/否”"),
    ("reject_bad_date", "not a date", "不是日期"),
    ("reject_unknown_code", "code not in its list", "代码不在代码表中"),
    ("reject_negative", "negative", "为负数"),
    ("reject_future_date", "date in the future", "日期在未来"),
    ("reject_missing_required", "required value missing", "缺少必填值"),
    (
        "reject_unknown_reference",
        "refers to nothing",
        "引用的对象不存在",
    ),
    ("reject_malformed_line", "malformed line", "行格式错误"),
    ("reject_duplicate_key", "key twice", "主键重复"),
    ("col_detail", "Detail", "说明"),
    (
        "months_already_there",
        "The table already holds these months:",
        "数据表中已有以下月份：",
    ),
    (
        "replace_months",
        "Replace these months with the file's rows",
        "用文件中的数据替换这些月份",
    ),
    (
        "all_or_nothing",
        "Store nothing if any row is rejected",
        "有拒收行时不入库任何数据",
    ),
    (
        "save_profile_as",
        "Save this mapping as profile",
        "将此映射保存为导入方案",
    ),
    ("import_now", "Import", "导入"),
    ("stored_rows", "Rows stored", "入库行数"),
    ("replaced_months", "Replaced months:", "已替换月份："),
    (
        "export_rejects",
        "Export rejects (CSV or Excel)…",
        "导出拒收记录（CSV/Excel）…",
    ),
    ("import_more", "Import other files", "导入其他文件"),
    ("job_preview", "Checking the file", "正在校验文件"),
    ("job_import_files", "Importing files", "正在导入文件"),
    ("page_map", "Map", "地图"),
    ("job_map", "Drawing the map", "绘制地图"),
    ("job_map_box", "Finding the customers in the box", "查找框选用户"),
    ("job_map_customers", "Placing every customer", "加载全部用户位置"),
    ("job_map_file", "Reading the GeoJSON file", "读取 GeoJSON 文件"),
    ("job_map_import", "Importing into the map", "导入地图图层"),
    ("job_map_search", "Searching customers", "搜索用户"),
    ("job_map_track", "Loading vehicle positions", "加载车辆轨迹"),
    ("map_all_customers", "All customers", "全部用户"),
    ("map_amount", "At stake", "涉及金额"),
    ("map_area", "Area", "区域"),
    (
        "map_attribution_own",
        "Basemap: project geography · MAMS",
        "底图：项目自带地理数据 · MAMS",
    ),
    (
        "map_bad_boundaries",
        "Boundaries that do not read",
        "无法读取的边界",
    ),
    ("map_base_none", "None (boundaries only)", "无（仅边界）"),
    ("map_base_osm", "OpenStreetMap (online)", "OpenStreetMap（联网）"),
    (
        "map_base_osm_help",
        "Fetches tiles from openstreetmap.org and caches them on disk. Off by default: MAMS needs no network.",
        "从 openstreetmap.org 下载瓦片并缓存到本地。默认关闭：MAMS 不需要联网。",
    ),
    ("map_base_pmtiles", "Raster PMTiles file", "栅格 PMTiles 文件"),
    (
        "map_base_project",
        "The project's own (offline)",
        "项目自带底图（离线）",
    ),
    ("map_basemap", "Basemap", "底图"),
    ("map_bills_of", "Bills of customer", "用户电费账单"),
    ("map_boxed", "Customers in the box", "框选用户"),
    ("map_busiest", "Busiest hour of the month", "本月停电最多的时段"),
    ("map_by_suspects", "Coloured by open suspects", "按未结疑点着色"),
    (
        "map_by_trend",
        "Coloured by trend against last year",
        "按同比趋势着色",
    ),
    ("map_class", "Class", "用电类别"),
    (
        "map_cluster_help",
        "Customers; a number is a cluster (click to zoom in)",
        "用户；数字为聚合点（点击放大）",
    ),
    ("map_code", "Code", "编号"),
    ("map_customer", "Customer", "户号"),
    ("map_customers_off", "customers off supply", "户停电"),
    ("map_day", "Day", "日"),
    ("map_density", "Density", "密度"),
    (
        "map_density_help",
        "Suspects per area (number in the circle)",
        "区域疑点数（圆内数字）",
    ),
    ("map_details", "Details", "详情"),
    ("map_drill_here", "Drill down into this unit", "下钻到该单位"),
    ("map_entity", "About", "对象"),
    ("map_equal", "Equal intervals", "等间距分级"),
    ("map_features", "features", "个要素"),
    ("map_fit", "Zoom to unit", "缩放到单位"),
    (
        "map_fit_help",
        "Fit the map to the unit chosen in the top bar",
        "将地图缩放到顶栏所选单位",
    ),
    ("map_fix_at", "Position at", "定位时间"),
    ("map_geojson_choose", "Choose a GeoJSON file", "选择 GeoJSON 文件"),
    ("map_halls", "Service halls and stations", "营业厅与供电所"),
    ("map_has_suspects", "Has open suspects", "有未结疑点"),
    ("map_hour", "Hour", "时"),
    ("map_hours", "Opening hours", "营业时间"),
    ("map_import_boundaries", "Boundaries of org units", "单位边界"),
    ("map_import_browse", "Browse…", "浏览…"),
    ("map_import_button", "Import GeoJSON…", "导入 GeoJSON…"),
    ("map_import_file", "File", "文件"),
    ("map_import_go", "Import", "导入"),
    ("map_import_layer", "A point layer", "点图层"),
    ("map_import_read", "Read", "读取"),
    (
        "map_import_safe",
        "The whole file is checked first: a bad file changes nothing.",
        "先检查整个文件：文件有误时不做任何修改。",
    ),
    ("map_import_title", "Import GeoJSON", "导入 GeoJSON"),
    ("map_imported", "Imported layers", "导入的图层"),
    ("map_in_progress", "in progress", "起进行中"),
    ("map_indicator", "Indicator map", "指标地图"),
    ("map_indicator_none", "None", "无"),
    ("map_key_customers", "Key customers", "重点用户"),
    ("map_kwh_month", "kWh this month", "本月电量"),
    ("map_kwh_year_ago", "Same month last year", "去年同月电量"),
    ("map_labels", "Unit names", "单位名称"),
    ("map_layer", "Layer", "图层"),
    ("map_layer_name", "Layer name", "图层名称"),
    ("map_layers", "Layers", "图层"),
    ("map_match_customers", "customers", "用户"),
    ("map_match_nothing", "nothing", "不匹配"),
    (
        "map_match_property",
        "Property holding the id or name",
        "含编号或名称的属性",
    ),
    (
        "map_match_property_unit",
        "Property holding the unit code or name",
        "含单位编码或名称的属性",
    ),
    ("map_match_to", "Match to", "匹配到"),
    ("map_match_units", "org units", "单位"),
    ("map_matched", "Matched to", "匹配到"),
    ("map_name", "Name", "名称"),
    ("map_no_suspects", "No open suspects", "无未结疑点"),
    (
        "map_no_vehicles",
        "No vehicle positions in this unit",
        "该单位无车辆定位数据",
    ),
    (
        "map_open_audit",
        "Suspects in the audit workbench",
        "在稽查工作台查看疑点",
    ),
    ("map_open_bills", "Bills of this customer", "该用户的电费账单"),
    (
        "map_open_leaders",
        "Open in Views for Leaders",
        "在领导视图中打开",
    ),
    ("map_open_suspects", "Open suspects", "未结疑点"),
    ("map_orderly", "Orderly power consumption", "有序用电"),
    ("map_outages", "Power cuts in progress", "停电信息"),
    ("map_pause", "Pause", "暂停"),
    ("map_plan_customers", "Customers", "户数"),
    ("map_plan_level", "Plan level", "方案等级"),
    ("map_planned", "planned", "计划停电"),
    ("map_play", "Play", "播放"),
    (
        "map_pmtiles_choose",
        "Choose a raster PMTiles file",
        "选择栅格 PMTiles 文件",
    ),
    ("map_points", "Points by rule category", "按规则类别显示点"),
    ("map_position", "Position", "位置"),
    ("map_quantile", "Quantiles", "分位数分级"),
    (
        "map_remove_layer",
        "Remove this layer from the project",
        "从项目中删除该图层",
    ),
    (
        "map_search_hint",
        "Search unit, hall, customer…",
        "搜索单位、营业厅、用户…",
    ),
    ("map_search_results", "Found", "搜索结果"),
    ("map_select", "Box-select customers", "框选用户"),
    (
        "map_select_help",
        "Drag a box on the map to list the customers inside it (the middle button still pans)",
        "在地图上拖出方框，列出框内用户（中键仍可平移）",
    ),
    ("map_shed_kw", "Load to shed (kW)", "可限负荷（千瓦）"),
    ("map_sized_kwh", "sized by kWh", "大小表示电量"),
    ("map_staff", "Staff", "人员"),
    ("map_status", "Status", "状态"),
    ("map_suspects", "Audit suspects", "稽查疑点"),
    ("map_trend", "Against last year", "同比"),
    (
        "map_trend_down",
        "Down more than 10% on last year",
        "同比下降超过10%",
    ),
    (
        "map_trend_flat",
        "Within ±10% (or no comparison)",
        "同比±10%以内（或无可比）",
    ),
    ("map_trend_up", "Up more than 10%", "同比上升超过10%"),
    ("map_type", "Type", "类型"),
    ("map_unit", "Unit", "单位"),
    (
        "map_unit_tickets",
        "95598 tickets of its unit this month",
        "所属单位本月95598工单",
    ),
    ("map_unplanned", "unplanned", "故障停电"),
    ("map_up", "Up one level", "上一级"),
    ("map_up_help", "Show the parent unit", "显示上级单位"),
    ("map_vehicles", "Repair vehicles", "抢修车辆"),
    ("map_zoom_to", "Zoom to it", "缩放到此处"),
    ("save_table", "Save…", "保存…"),
    (
        "save_table_help",
        "Save this table as CSV or Excel (XLSX)",
        "将此表保存为 CSV 或 Excel（XLSX）",
    ),
    ("job_save_table", "Saving the table", "保存表格"),
    (
        "market_collection_curve",
        "Collection within the month (bills falling due)",
        "月内电费回收进度（当月到期账单）",
    ),
    ("market_due_in_month", "Due this month:", "当月到期应收："),
    (
        "market_collected_by_end",
        "collected by the month's end",
        "月末已回收",
    ),
    ("market_day_of_month", "day of the month", "日"),
    (
        "market_arrears_age",
        "Arrears at the month's end by days past due",
        "月末欠费账龄分布",
    ),
    ("market_arrears_total", "Arrears", "欠费合计"),
    ("market_this_year", "billed this year", "当年"),
    ("market_prior_years", "prior years", "往年"),
    (
        "bulletin_filter_unit",
        "Click: show only this unit's misses (again: all units)",
        "点击：只看该单位的未达标项（再次点击：全部）",
    ),
    (
        "bulletin_filter_indicator",
        "click: show only this indicator's misses",
        "点击：只看该指标的未达标项",
    ),
    (
        "service_saifi_chart",
        "SAIFI by month, with and without major event days",
        "SAIFI（按月，含与不含重大事件日）",
    ),
    ("service_interruptions", "interruptions per customer", "次/户"),
    ("days_past_due", "days", "天"),
    ("map_latest", "Last positions", "最新位置"),
    (
        "service_filter_unit",
        "Show only this unit's repeat complainers (again: all)",
        "只看该单位的重复投诉客户（再次点击：全部）",
    ),
];

/// The text of `key` in `lang`. An unknown key shows as itself (and fails the tests).
pub fn t(lang: Lang, key: &str) -> &'static str {
    for (k, en, zh) in TEXTS {
        if *k == key {
            return match lang {
                Lang::En => en,
                Lang::Zh => zh,
            };
        }
    }
    debug_assert!(false, "missing translation key {key}");
    // Kept so that a test (in release builds too) can say which keys were missing; leaked
    // once per unknown key: better than showing nothing.
    let mut missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = missing.iter().find(|k| k.as_str() == key) {
        return Box::leak(k.clone().into_boxed_str());
    }
    missing.push(key.to_string());
    Box::leak(key.to_string().into_boxed_str())
}

static MISSING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// The keys asked for that have no translation, since the program started.
pub fn missing_keys() -> Vec<String> {
    MISSING.lock().unwrap_or_else(|e| e.into_inner()).clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut keys: Vec<_> = TEXTS.iter().map(|(k, _, _)| *k).collect();
        keys.sort();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate key");
        for (k, en, zh) in TEXTS {
            assert!(!en.is_empty() && !zh.is_empty(), "{k}");
        }
    }

    /// Every translation key used in the UI sources is in the table.
    #[test]
    fn every_key_used_in_the_ui_exists() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
        let mut files = vec![dir.clone()];
        let mut used = Vec::new();
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|e| e == "rs") {
                let src = std::fs::read_to_string(&p).unwrap();
                for pat in ["t(lang, \"", "tr(\"", ".t(\""] {
                    for part in src.split(pat).skip(1) {
                        if let Some(end) = part.find('"') {
                            used.push((p.display().to_string(), part[..end].to_string()));
                        }
                    }
                }
            }
        }
        assert!(used.len() > 20, "the scan found the UI's keys");
        // And every key of the table is used somewhere in the UI (as a literal: keys built
        // at run time are checked by the kittest that visits every page).
        let all_sources: String = {
            let mut text = String::new();
            let mut files = vec![dir.clone()];
            while let Some(p) = files.pop() {
                if p.is_dir() {
                    files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                } else if p.extension().is_some_and(|e| e == "rs") && !p.ends_with("i18n.rs") {
                    text.push_str(&std::fs::read_to_string(&p).unwrap());
                }
            }
            text
        };
        let unused: Vec<&str> = TEXTS
            .iter()
            .map(|(k, _, _)| *k)
            .filter(|k| !all_sources.contains(&format!("\"{k}\"")))
            .collect();
        assert!(unused.is_empty(), "keys no UI code uses: {unused:?}");
        for (file, key) in used {
            assert!(
                TEXTS.iter().any(|(k, _, _)| *k == key),
                "{file}: key '{key}' has no translation"
            );
        }
    }

    /// (In a debug build the lookup stops at its debug_assert instead.)
    #[cfg(not(debug_assertions))]
    #[test]
    fn a_missing_key_is_shown_as_itself_and_recorded() {
        assert_eq!(t(Lang::Zh, "no_such_key_anywhere"), "no_such_key_anywhere");
        assert!(missing_keys().contains(&"no_such_key_anywhere".to_string()));
    }
}
