// SPDX-License-Identifier: GPL-2.0
/*
 * dnngov_fakeplat: a fake Jetson Xavier NX for testing dnngov.ko in a VM.
 *
 * Test-only. It registers a cpufreq driver "dnngov_fake" with the Xavier NX
 * Carmel CPU OPP table and a devfreq device "dnngov-fake-gpu" with the Xavier
 * NX GPU (gv11b) OPP table, so that the governors have real cpufreq policies
 * and a real devfreq device to drive under QEMU, where no frequency driver
 * binds. On real hardware a second cpufreq driver cannot register, which is
 * why this is a module of its own.
 *
 * Every frequency change is recorded; debugfs dnngov_fakeplat/ has:
 *   transitions    read: "<ns> <domain> <old> <new>" per change, domain
 *                  "cpu<policy>" (kHz) or "gpu" (Hz); write anything: clear
 *   gpu_load_pct   0..100, the busy share get_dev_status() reports
 */
#include <linux/cpufreq.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/devfreq.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm_opp.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#define FAKEPLAT_GPU_NAME	"dnngov-fake-gpu"
#define FAKEPLAT_LOG_SIZE	4096	/* transitions kept; older ones drop */

static unsigned int cluster_cpus = 1;
module_param(cluster_cpus, uint, 0444);
MODULE_PARM_DESC(cluster_cpus, "CPUs per cpufreq policy (default 1)");

static char *gpu_governor = "simple_ondemand";
module_param(gpu_governor, charp, 0444);
MODULE_PARM_DESC(gpu_governor, "initial devfreq governor of the fake GPU");

static unsigned int gpu_polling_ms = 50;
module_param(gpu_polling_ms, uint, 0444);
MODULE_PARM_DESC(gpu_polling_ms, "devfreq polling interval of the fake GPU");

/* Xavier NX Carmel, kHz (L4T clocks documentation). */
static struct cpufreq_frequency_table fake_cpu_table[] = {
	{ .frequency = 115200 },  { .frequency = 192000 },
	{ .frequency = 268800 },  { .frequency = 345600 },
	{ .frequency = 422400 },  { .frequency = 499200 },
	{ .frequency = 576000 },  { .frequency = 652800 },
	{ .frequency = 729600 },  { .frequency = 806400 },
	{ .frequency = 883200 },  { .frequency = 960000 },
	{ .frequency = 1036800 }, { .frequency = 1113600 },
	{ .frequency = 1190400 }, { .frequency = 1267200 },
	{ .frequency = 1344000 }, { .frequency = 1420800 },
	{ .frequency = 1497600 }, { .frequency = 1574400 },
	{ .frequency = 1651200 }, { .frequency = 1728000 },
	{ .frequency = 1804800 }, { .frequency = 1881600 },
	{ .frequency = 1907200 },
	{ .frequency = CPUFREQ_TABLE_END },
};

/* The frequency the firmware would leave the CPUs at (nvpmodel minimum). */
#define FAKEPLAT_CPU_BOOT_KHZ	1190400

/*
 * Xavier NX GPU (gv11b), Hz, with assumed voltages in uV. NVIDIA does not
 * publish the gv11b DVFS table; these rise from 600 mV to 1000 mV over the
 * range, roughly as published Volta/Carmel curves do, so that a power model
 * built from OPP voltages (P ~ f * V^2) is convex and plausible.
 */
static const struct {
	unsigned long hz;
	unsigned long uv;
} fake_gpu_opps[] = {
	{ 114750000, 600000 },	{ 204000000, 610000 },
	{ 306000000, 620000 },	{ 408000000, 635000 },
	{ 510000000, 655000 },	{ 599250000, 680000 },
	{ 701250000, 715000 },	{ 752250000, 735000 },
	{ 803250000, 760000 },	{ 854250000, 790000 },
	{ 905250000, 820000 },	{ 956250000, 855000 },
	{ 1007250000, 890000 },	{ 1058250000, 940000 },
	{ 1109250000, 1000000 },
};

struct fakeplat_transition {
	u64 ns;
	int cpu;		/* policy->cpu, or -1 for the GPU */
	unsigned long old_freq;
	unsigned long new_freq;
};

static struct fakeplat_transition *fakeplat_log;
static unsigned int fakeplat_log_head;	/* next slot to write */
static unsigned int fakeplat_log_len;	/* valid entries */
static DEFINE_SPINLOCK(fakeplat_log_lock);

static void fakeplat_record(int cpu, unsigned long old_freq,
			    unsigned long new_freq)
{
	struct fakeplat_transition *t;
	unsigned long flags;

	spin_lock_irqsave(&fakeplat_log_lock, flags);
	t = &fakeplat_log[fakeplat_log_head];
	t->ns = ktime_get_ns();
	t->cpu = cpu;
	t->old_freq = old_freq;
	t->new_freq = new_freq;
	fakeplat_log_head = (fakeplat_log_head + 1) % FAKEPLAT_LOG_SIZE;
	if (fakeplat_log_len < FAKEPLAT_LOG_SIZE)
		fakeplat_log_len++;
	spin_unlock_irqrestore(&fakeplat_log_lock, flags);
}

/* ---- fake cpufreq driver ---- */

/* Current frequency per policy, indexed by the policy's first CPU. */
static unsigned int fake_cpu_cur[NR_CPUS];

static unsigned int fake_cpu_first(unsigned int cpu)
{
	return cpu - cpu % cluster_cpus;
}

static int fake_cpu_init(struct cpufreq_policy *policy)
{
	unsigned int first = fake_cpu_first(policy->cpu);
	unsigned int cpu;

	policy->freq_table = fake_cpu_table;
	policy->cpuinfo.transition_latency = 100000;	/* ns */
	for (cpu = first; cpu < first + cluster_cpus && cpu < nr_cpu_ids; cpu++)
		if (cpu_possible(cpu))
			cpumask_set_cpu(cpu, policy->cpus);
	if (!fake_cpu_cur[first])
		fake_cpu_cur[first] = FAKEPLAT_CPU_BOOT_KHZ;
	policy->cur = fake_cpu_cur[first];
	return 0;
}

static int fake_cpu_target_index(struct cpufreq_policy *policy,
				 unsigned int index)
{
	unsigned int first = fake_cpu_first(policy->cpu);
	unsigned int new_khz = fake_cpu_table[index].frequency;

	if (fake_cpu_cur[first] != new_khz)
		fakeplat_record(policy->cpu, fake_cpu_cur[first], new_khz);
	fake_cpu_cur[first] = new_khz;
	return 0;
}

static unsigned int fake_cpu_get(unsigned int cpu)
{
	if (cpu >= nr_cpu_ids)
		return 0;
	return fake_cpu_cur[fake_cpu_first(cpu)];
}

static struct cpufreq_driver fake_cpufreq_driver = {
	.name		= "dnngov_fake",
	.flags		= CPUFREQ_NEED_INITIAL_FREQ_CHECK,
	.init		= fake_cpu_init,
	.verify		= cpufreq_generic_frequency_table_verify,
	.target_index	= fake_cpu_target_index,
	.get		= fake_cpu_get,
	.attr		= cpufreq_generic_attr,
};

/* ---- fake devfreq GPU ---- */

static struct platform_device *fake_gpu_pdev;
static struct devfreq *fake_gpu_df;
static unsigned long fake_gpu_cur_hz;
static u32 fake_gpu_load_pct;
static ktime_t fake_gpu_last_status;

static int fake_gpu_target(struct device *dev, unsigned long *freq, u32 flags)
{
	struct dev_pm_opp *opp;

	opp = devfreq_recommended_opp(dev, freq, flags);
	if (IS_ERR(opp))
		return PTR_ERR(opp);
	*freq = dev_pm_opp_get_freq(opp);
	dev_pm_opp_put(opp);
	if (*freq != fake_gpu_cur_hz)
		fakeplat_record(-1, fake_gpu_cur_hz, *freq);
	fake_gpu_cur_hz = *freq;
	return 0;
}

static int fake_gpu_get_dev_status(struct device *dev,
				   struct devfreq_dev_status *stat)
{
	ktime_t now = ktime_get();
	u64 total_us = ktime_us_delta(now, fake_gpu_last_status);

	fake_gpu_last_status = now;
	if (!total_us)
		total_us = 1;
	stat->total_time = total_us;
	stat->busy_time = div_u64(total_us * READ_ONCE(fake_gpu_load_pct), 100);
	stat->current_frequency = fake_gpu_cur_hz;
	return 0;
}

static int fake_gpu_get_cur_freq(struct device *dev, unsigned long *freq)
{
	*freq = fake_gpu_cur_hz;
	return 0;
}

static struct devfreq_dev_profile fake_gpu_profile = {
	.timer		= DEVFREQ_TIMER_DELAYED,
	.target		= fake_gpu_target,
	.get_dev_status	= fake_gpu_get_dev_status,
	.get_cur_freq	= fake_gpu_get_cur_freq,
};

static int fake_gpu_add(void)
{
	struct device *dev;
	unsigned int i;
	int ret;

	fake_gpu_pdev = platform_device_register_simple(FAKEPLAT_GPU_NAME,
							PLATFORM_DEVID_NONE,
							NULL, 0);
	if (IS_ERR(fake_gpu_pdev))
		return PTR_ERR(fake_gpu_pdev);
	dev = &fake_gpu_pdev->dev;

	for (i = 0; i < ARRAY_SIZE(fake_gpu_opps); i++) {
		ret = dev_pm_opp_add(dev, fake_gpu_opps[i].hz,
				     fake_gpu_opps[i].uv);
		if (ret)
			goto err_opp;
	}

	fake_gpu_cur_hz = fake_gpu_opps[0].hz;
	fake_gpu_last_status = ktime_get();
	fake_gpu_profile.initial_freq = fake_gpu_cur_hz;
	fake_gpu_profile.polling_ms = gpu_polling_ms;
	fake_gpu_df = devfreq_add_device(dev, &fake_gpu_profile, gpu_governor,
					 NULL);
	if (IS_ERR(fake_gpu_df)) {
		ret = PTR_ERR(fake_gpu_df);
		dev_err(dev, "devfreq_add_device(governor %s) failed: %d\n",
			gpu_governor, ret);
		goto err_opp;
	}
	return 0;

err_opp:
	dev_pm_opp_remove_all_dynamic(dev);
	platform_device_unregister(fake_gpu_pdev);
	return ret;
}

static void fake_gpu_remove(void)
{
	devfreq_remove_device(fake_gpu_df);
	dev_pm_opp_remove_all_dynamic(&fake_gpu_pdev->dev);
	platform_device_unregister(fake_gpu_pdev);
}

/* ---- debugfs ---- */

static struct dentry *fakeplat_dir;

static int transitions_show(struct seq_file *m, void *v)
{
	struct fakeplat_transition *copy;
	unsigned int len, start, i;
	unsigned long flags;

	copy = kvmalloc_array(FAKEPLAT_LOG_SIZE, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	spin_lock_irqsave(&fakeplat_log_lock, flags);
	len = fakeplat_log_len;
	start = (fakeplat_log_head + FAKEPLAT_LOG_SIZE - len) % FAKEPLAT_LOG_SIZE;
	for (i = 0; i < len; i++)
		copy[i] = fakeplat_log[(start + i) % FAKEPLAT_LOG_SIZE];
	spin_unlock_irqrestore(&fakeplat_log_lock, flags);

	for (i = 0; i < len; i++) {
		if (copy[i].cpu < 0)
			seq_printf(m, "%llu gpu %lu %lu\n", copy[i].ns,
				   copy[i].old_freq, copy[i].new_freq);
		else
			seq_printf(m, "%llu cpu%d %lu %lu\n", copy[i].ns,
				   copy[i].cpu, copy[i].old_freq,
				   copy[i].new_freq);
	}
	kvfree(copy);
	return 0;
}

static int transitions_open(struct inode *inode, struct file *file)
{
	return single_open_size(file, transitions_show, NULL,
				FAKEPLAT_LOG_SIZE * 64);
}

static ssize_t transitions_write(struct file *file, const char __user *buf,
				 size_t count, loff_t *ppos)
{
	unsigned long flags;

	spin_lock_irqsave(&fakeplat_log_lock, flags);
	fakeplat_log_head = 0;
	fakeplat_log_len = 0;
	spin_unlock_irqrestore(&fakeplat_log_lock, flags);
	return count;
}

static const struct file_operations transitions_fops = {
	.owner		= THIS_MODULE,
	.open		= transitions_open,
	.read		= seq_read,
	.write		= transitions_write,
	.llseek		= seq_lseek,
	.release	= single_release,
};

static int gpu_load_get(void *data, u64 *val)
{
	*val = READ_ONCE(fake_gpu_load_pct);
	return 0;
}

static int gpu_load_set(void *data, u64 val)
{
	if (val > 100)
		return -ERANGE;
	WRITE_ONCE(fake_gpu_load_pct, val);
	return 0;
}

DEFINE_DEBUGFS_ATTRIBUTE(gpu_load_fops, gpu_load_get, gpu_load_set, "%llu\n");

/* ---- module ---- */

static int __init fakeplat_init(void)
{
	int ret;

	if (!cluster_cpus || cluster_cpus > nr_cpu_ids) {
		pr_err("dnngov_fakeplat: cluster_cpus must be 1..%u\n",
		       nr_cpu_ids);
		return -EINVAL;
	}
	fakeplat_log = kvcalloc(FAKEPLAT_LOG_SIZE, sizeof(*fakeplat_log),
				GFP_KERNEL);
	if (!fakeplat_log)
		return -ENOMEM;

	fakeplat_dir = debugfs_create_dir("dnngov_fakeplat", NULL);
	debugfs_create_file("transitions", 0644, fakeplat_dir, NULL,
			    &transitions_fops);
	debugfs_create_file_unsafe("gpu_load_pct", 0644, fakeplat_dir, NULL,
				   &gpu_load_fops);

	ret = cpufreq_register_driver(&fake_cpufreq_driver);
	if (ret) {
		pr_err("dnngov_fakeplat: cpufreq driver: %d (another driver bound?)\n",
		       ret);
		goto err_debugfs;
	}
	ret = fake_gpu_add();
	if (ret)
		goto err_cpufreq;
	return 0;

err_cpufreq:
	cpufreq_unregister_driver(&fake_cpufreq_driver);
err_debugfs:
	debugfs_remove_recursive(fakeplat_dir);
	kvfree(fakeplat_log);
	return ret;
}

static void __exit fakeplat_exit(void)
{
	fake_gpu_remove();
	cpufreq_unregister_driver(&fake_cpufreq_driver);
	debugfs_remove_recursive(fakeplat_dir);
	kvfree(fakeplat_log);
}

module_init(fakeplat_init);
module_exit(fakeplat_exit);

MODULE_DESCRIPTION("dnngov test platform: fake Xavier NX cpufreq driver and devfreq GPU");
MODULE_LICENSE("GPL");
