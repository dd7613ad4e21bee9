"""The words and codes synthetic records are made of: subject kinds, dataset titles and column prefixes,
the districts of 平顶山市, and the characters names are assembled from."""

from __future__ import annotations

import numpy as np

LEGAL, BUSINESS, PERSON = 0, 1, 2
KIND_LABELS = np.array(["法人及非法人组织", "个体工商户", "自然人"], dtype=object)
SUBJECT_SHARES = {
    "license": (0.60, 0.25, 0.15),
    "penalty": (0.50, 0.30, 0.20),
    "credit_commitment": (0.70, 0.25, 0.05),
    "objection": (0.70, 0.22, 0.08),
    "credit_repair": (0.75, 0.25, 0.0),
    "joint_sanction": (0.70, 0.20, 0.10),
    "case_register": (0.70, 0.20, 0.10),
}
DATASET_TITLES = {
    "license": "行政许可",
    "penalty": "行政处罚",
    "credit_list": "信用名单",
    "subject_registry": "市场主体登记",
    "credit_commitment": "信用承诺",
    "objection": "信用信息异议",
    "credit_repair": "信用修复",
    "joint_sanction": "联合奖惩案例",
    "case_register": "城市上报案例",
}
PREFIXES = {
    "license": "xk",
    "penalty": "cf",
    "credit_list": "md",
    "subject_registry": "zt",
    "credit_commitment": "cn",
    "objection": "yy",
    "credit_repair": "xf",
    "joint_sanction": "jc",
    "case_register": "al",
}  # of the column names

# GB/T 2260 codes of 平顶山市 and its districts and counties (public administrative divisions).
DISTRICTS = (
    ("410400", ""), ("410402", "新华区"), ("410403", "卫东区"), ("410404", "石龙区"), ("410411", "湛河区"),
    ("410421", "宝丰县"), ("410422", "叶县"), ("410423", "鲁山县"), ("410425", "郏县"),
    ("410481", "舞钢市"), ("410482", "汝州市"),
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰凤云海波鹏飞宇浩然子涵欣怡梓萱俊博文雅晨阳"
BRANDS = "鑫华泰盛源恒德隆顺达嘉瑞丰宏金安兴祥润通豪远博佳诚信和益众辰"
INDUSTRIES = ("商贸", "建材", "物流", "餐饮管理", "环保科技", "建筑工程", "运输", "食品", "医药", "机械制造",
              "化工", "煤业", "房地产开发", "汽车服务", "农业科技", "电子科技")  # fmt: skip
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
SHOPS = ("便利店", "烩面馆", "五金店", "副食店", "理发店", "汽车修理部", "饭店", "日杂店", "药店", "服装店",
         "烟酒店", "废品收购站", "农资店", "干洗店")  # fmt: skip
ROUND_FINES = (200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 30000, 50000, 100000, 200000)
