"""Chinese names for the demo's people: a surname and one or two given characters, drawn at random."""

from __future__ import annotations

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华建国玉志红梅海燕淑珍德福文凤琴云丹宁欣怡浩然子涵"
