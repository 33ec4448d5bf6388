"""Aftersales (售后服务管理系统): after-sales service management."""

__version__ = "0.1.0"
