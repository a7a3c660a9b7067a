#!/bin/bash
#SBATCH --job-name=hello
#SBATCH --ntasks=4
#SBATCH --time=00:05:00
#SBATCH --output=hello-%j.out
# An ordinary Slurm job script: Leviathan runs it unchanged.
echo "job $LV_JOB_ID ($SLURM_JOB_NAME) on $LV_JOB_NODELIST, $SLURM_NTASKS tasks"
lvrun -l hostname
echo "done at $(date)"
